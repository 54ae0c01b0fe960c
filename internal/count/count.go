// Package count is the mailcop-count stage.
package count

import (
	"context"
	"errors"
	"io"
)

// Run is mailcop-count: not built yet.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
