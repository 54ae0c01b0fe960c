//go:build !linux

package cli

import (
	"io"
	"os"
)

func growPipes() {}

func pollStdin() (stdin io.Reader, restore func())   { return os.Stdin, func() {} }
func pollStdout() (stdout io.Writer, restore func()) { return os.Stdout, func() {} }

// Pending is unknown here: callers fall back on their own guess.
func Pending(io.Reader) (n int, ok bool) { return 0, false }
