package cli

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A rawPipe reads a non-blocking pipe with raw system calls, waiting in
// Go's poller when the pipe is empty.
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

// rawOut writes a non-blocking pipe with raw writes. It stays out of the
// poller: the poller would be told each time the next stage empties the
// pipe (it watches a descriptor for writing as well as reading), a
// wake-up for nothing per write. A full pipe (a bulk run) is waited for
// with poll(2), a blocking system call the runtime knows of.
type rawOut struct {
	fd int
	f  *os.File // the same descriptor, for what a raw write cannot do
}

func (o *rawOut) Write(b []byte) (int, error) {
	done := 0
	for done < len(b) {
		rest := b[done:]
		r, _, errno := syscall.RawSyscall(unix.SYS_WRITE, uintptr(o.fd), uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)))
		switch errno {
		case 0:
			done += int(r)
		case unix.EINTR:
		case unix.EAGAIN:
			fds := []unix.PollFd{{Fd: int32(o.fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
				return done, &os.PathError{Op: "poll", Path: o.f.Name(), Err: err}
			}
		case unix.EPIPE:
			// The file's own write gets EPIPE too and, on stdout, ends
			// the process by SIGPIPE, as a stage's downstream head
			// expects (the runtime ignored the kernel's signal).
			n, err := o.f.Write(rest)
			return done + n, err
		default:
			return done, &os.PathError{Op: "write", Path: o.f.Name(), Err: errno}
		}
	}
	return done, nil
}
