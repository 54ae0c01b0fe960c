package cli

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// A pipe grows to pipeSize, unless the kernel refuses with an error; a
// regular file is left alone without one.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	err = growPipe(w)
	n, gerr := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if gerr != nil {
		t.Fatal(gerr)
	}
	if err == nil && n < pipeSize {
		t.Errorf("pipe of %d bytes after growPipe without error, want %d", n, pipeSize)
	}
	if err != nil && n >= pipeSize {
		t.Errorf("growPipe failed (%v) yet the pipe has %d bytes", err, n)
	}

	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := growPipe(f); err != nil {
		t.Errorf("growPipe on a regular file: %v", err)
	}
}
