package cli

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A pipe is read through the poller (it takes a deadline, which only
// polled files do) and is blocking again after restore; a regular file
// is returned as it is.
func TestPollPipe(t *testing.T) {
	// A blocking pipe, unknown to the poller, as os.Stdin is.
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
	defer r.Close()
	defer w.Close()
	p, restore := pollPipe(r)
	if p == r {
		t.Fatal("pollPipe returned the pipe as it was")
	}
	if err := p.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatalf("SetReadDeadline on the polled pipe: %v", err)
	}
	if _, err := p.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read of an empty polled pipe: %v, want a deadline exceeded", err)
	}
	p.SetReadDeadline(time.Time{})
	w.Write([]byte("line\n"))
	buf := make([]byte, 16)
	if n, err := p.Read(buf); err != nil || string(buf[:n]) != "line\n" {
		t.Fatalf("read %q, %v; want the line written", buf[:n], err)
	}
	restore()
	if fl, err := unix.FcntlInt(r.Fd(), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Errorf("after restore: flags %#x, %v; want O_NONBLOCK cleared", fl, err)
	}

	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if g, _ := pollPipe(f); g != f {
		t.Error("pollPipe replaced a regular file")
	}
}
