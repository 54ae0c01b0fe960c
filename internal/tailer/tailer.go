// Package tailer is the mailcop-tail stage.
package tailer

import (
	"context"
	"errors"
	"io"
)

// Run is mailcop-tail: not built yet.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
