// Package geo is the mailcop-geo stage.
package geo

import (
	"context"
	"errors"
	"io"
)

// Run is mailcop-geo: not built yet.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
