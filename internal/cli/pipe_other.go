//go:build !linux

package cli

import (
	"io"
	"os"
)

func growPipes() {}

func pollStdin() (stdin *os.File, restore func()) { return os.Stdin, func() {} }

// Pending is unknown here: callers fall back on their own guess.
func Pending(io.Reader) (n int, ok bool) { return 0, false }
