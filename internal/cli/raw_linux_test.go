package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// nonblockingPipe returns a pipe's ends made non-blocking as pollStdin
// and pollStdout make stdin and stdout: the reading end in the poller,
// the writing end out of it.
func nonblockingPipe(t *testing.T) (r *rawPipe, w *rawOut) {
	t.Helper()
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	rf, wf := os.NewFile(uintptr(fds[0]), "r"), os.NewFile(uintptr(fds[1]), "w")
	t.Cleanup(func() { rf.Close(); wf.Close() })
	if err := unix.SetNonblock(fds[1], true); err != nil {
		t.Fatal(err)
	}
	return newRawPipe(rf), &rawOut{fd: fds[1], f: wf}
}

// Raw reads and writes move every byte through a pipe much smaller than
// what is written (the writer waits in poll(2) for room, the reader in
// the poller for data), then the reader sees io.EOF.
func TestRawPipe(t *testing.T) {
	r, w := nonblockingPipe(t)
	if _, err := unix.FcntlInt(uintptr(w.fd), unix.F_SETPIPE_SZ, 4096); err != nil {
		t.Logf("pipe stays at its size: %v", err)
	}
	want := bytes.Repeat([]byte("{\"line\":\"a log line\"}\n"), 20000)
	errc := make(chan error, 1)
	go func() {
		n, err := w.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		w.f.Close()
		errc <- err
	}()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want the %d written", len(got), len(want))
	}
	if _, ok := Pending(r); !ok {
		t.Error("Pending does not know a raw pipe")
	}
}

// A write to a pipe whose reader is gone fails with EPIPE (on stdout the
// file's own write then ends the process, as it would without rawPipe).
func TestRawPipeEPIPE(t *testing.T) {
	r, w := nonblockingPipe(t)
	r.f.Close()
	if _, err := w.Write([]byte("x\n")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write without a reader: %v, want EPIPE", err)
	}
}
