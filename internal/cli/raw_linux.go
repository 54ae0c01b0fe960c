package cli

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A rawPipe reads or writes a non-blocking pipe with raw system calls,
// waiting in Go's poller when the pipe is empty (or full).
//
// Every system call made the usual way tells the runtime, and the first
// one after the process slept wakes the runtime's monitor thread, which
// then naps 20 µs at a time until the process sleeps again: three to six
// context switches per wake-up, more than the work on a few lines. A
// read or write of a non-blocking pipe never waits in the kernel, so the
// runtime need not know of it: made raw, a live stage's wake-up is one
// thread made runnable by the poller (at 10 lines a second, a trivial
// pipe stage took 45 µs of CPU a line instead of 95).
type rawPipe struct {
	f  *os.File // registered with the poller (it was non-blocking when made)
	rc syscall.RawConn
}

func newRawPipe(f *os.File) *rawPipe {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	return &rawPipe{f: f, rc: rc}
}

// SyscallConn gives the descriptor, for Pending.
func (p *rawPipe) SyscallConn() (syscall.RawConn, error) { return p.rc, nil }

func (p *rawPipe) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := p.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			if e == unix.EINTR {
				continue
			}
			if e == unix.EAGAIN {
				return false // the poller waits for data
			}
			n, errno = int(r), e
			return true
		}
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, &os.PathError{Op: "read", Path: p.f.Name(), Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (p *rawPipe) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		var errno syscall.Errno
		err := p.rc.Write(func(fd uintptr) bool {
			for {
				rest := b[done:]
				r, _, e := syscall.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)))
				if e == unix.EINTR {
					continue
				}
				if e == unix.EAGAIN {
					return false // the poller waits for room
				}
				if e == 0 {
					done += int(r)
				}
				errno = e
				return true
			}
		})
		if err != nil {
			return done, err
		}
		if errno == unix.EPIPE {
			// The file's own write gets EPIPE too and, on stdout, ends
			// the process by SIGPIPE, as a stage's downstream head
			// expects (the runtime ignored the kernel's signal).
			n, err := p.f.Write(b[done:])
			return done + n, err
		}
		if errno != 0 {
			return done, &os.PathError{Op: "write", Path: p.f.Name(), Err: errno}
		}
	}
	return done, nil
}
