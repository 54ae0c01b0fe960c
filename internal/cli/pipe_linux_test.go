package cli

import (
	"io"
	"os"
	"strings"
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

// Pending counts what a pipe holds, what a regular file has left, and
// knows nothing of a reader that is not a file.
func TestPending(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if n, ok := Pending(r); !ok || n != 0 {
		t.Errorf("empty pipe: %d, %v; want 0, true", n, ok)
	}
	w.Write([]byte("two lines\nof log\n"))
	if n, ok := Pending(r); !ok || n != 17 {
		t.Errorf("pipe holding 17 bytes: %d, %v; want 17, true", n, ok)
	}

	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("0123456789")
	f.Seek(4, io.SeekStart)
	if n, ok := Pending(f); !ok || n != 6 {
		t.Errorf("file read up to 4 of 10 bytes: %d, %v; want 6, true", n, ok)
	}
	if _, ok := Pending(strings.NewReader("x")); ok {
		t.Error("Pending knows a strings.Reader")
	}
}
