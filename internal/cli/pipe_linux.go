package cli

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// pipeSize is what the stages ask of the pipes between them. Linux gives
// a pipe 64 KiB by default: a stage writing a few hundred MB of records
// then wakes the next one every 64 KiB, and both spend more time in the
// kernel and switching than in their work (the four-stage pipeline over
// 1 GiB of log took 15% less time with 1 MiB). 1 MiB is what an
// unprivileged process may set by default (fs.pipe-max-size).
const pipeSize = 1 << 20

// growPipes enlarges stdin and stdout where they are pipes. It is an
// optimisation only: where the kernel says no, nothing changes.
func growPipes() {
	growPipe(os.Stdin)
	growPipe(os.Stdout)
}

// growPipe asks for a pipeSize buffer if f is a smaller pipe.
func growPipe(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return err
	}
	if n, err := unix.FcntlInt(f.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || n >= pipeSize {
		return err
	}
	_, err = unix.FcntlInt(f.Fd(), unix.F_SETPIPE_SZ, pipeSize)
	return err
}

// Pending tells how many bytes r has ready to read without waiting, when
// r is a file the kernel can tell it of (a pipe, a terminal, a socket, a
// regular file: what is left to its end); ok is false otherwise.
func Pending(r io.Reader) (n int, ok bool) {
	sc, isConn := r.(syscall.Conn)
	if !isConn {
		return 0, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil || ierr != nil { // TIOCINQ is FIONREAD
		return 0, false
	}
	return n, true
}
