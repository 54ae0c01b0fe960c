//go:build !linux

package cli

import "os"

func growPipes() {}

func pollStdin() (stdin *os.File, restore func()) { return os.Stdin, func() {} }
