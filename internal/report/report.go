// Package report is the mailcop-report stage.
package report

import (
	"context"
	"errors"
	"io"
)

// Run is mailcop-report: not built yet.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
