package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// pollStdin returns standard input read through Go's network poller, with
// raw reads (see rawPipe), when it is a pipe, and a function that puts it
// back as it was.
func pollStdin() (stdin io.Reader, restore func()) {
	f, restore := pollPipe(os.Stdin)
	if f == os.Stdin {
		return f, restore
	}
	if p := newRawPipe(f); p != nil {
		return p, restore
	}
	return f, restore
}

// pollStdout makes standard output non-blocking, when it is a pipe, and
// returns it written with raw writes (see rawOut), and a function that
// puts it back as it was. A terminal or a file is written as it is.
func pollStdout() (stdout io.Writer, restore func()) {
	f := os.Stdout
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return f, func() {}
	}
	// 2>&1: stderr, written the usual way, would get EAGAIN from a full
	// pipe and lose its messages.
	if ei, err := os.Stderr.Stat(); err != nil || os.SameFile(fi, ei) {
		return f, func() {}
	}
	fd := int(f.Fd())
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		return f, func() {} // someone else's choice: leave it
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return f, func() {}
	}
	return &rawOut{fd: fd, f: f}, func() { unix.SetNonblock(fd, false) }
}

// pollPipe returns f read (or written) through the poller if f is a pipe.
//
// Go reads os.Stdin with blocking read(2) calls. A stage waiting for its
// next line then sits in a system call that holds a scheduler slot, and
// the runtime's monitor thread, which watches such calls, wakes up every
// 20 µs to 10 ms all the while: in the live pipeline fed 100 lines a
// second, those wake-ups were half of mailcop-parse's CPU time. Read
// through the poller, a waiting stage parks its goroutine, and the idle
// process sleeps until its pipe has data.
//
// O_NONBLOCK belongs to the pipe's open file, which another process may
// use after this one (a shell's { a; b; } | ...): restore undoes it at
// exit. (One that writes to the same pipe at the same time would see
// EAGAIN when it is full: pipelines of mailcop's stages do not do that.) Terminals and regular files are left alone.
func pollPipe(f *os.File) (*os.File, func()) {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return f, func() {}
	}
	fd := f.Fd()
	if fl, err := unix.FcntlInt(fd, unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		return f, func() {} // someone else's choice: leave it
	}
	if err := unix.SetNonblock(int(fd), true); err != nil {
		return f, func() {}
	}
	// NewFile sees O_NONBLOCK and registers the descriptor with the
	// poller. The new file is kept for the life of the process: its
	// finalizer would close the descriptor under f.
	p := os.NewFile(fd, f.Name())
	polled = append(polled, p)
	return p, func() { unix.SetNonblock(int(fd), false) }
}

var polled []*os.File
