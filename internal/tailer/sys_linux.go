package tailer

import (
	"io"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls of a follow pass, made raw. Every system call made the
// usual way tells Go's runtime, and the first one after the process slept
// wakes the runtime's monitor thread, which then naps 20 µs at a time
// until the process sleeps again: three to six context switches a pass,
// costlier than the pass's work on the few lines a follower reads. These
// calls do not wait for anyone: a stat, an inotify read of a non-blocking
// descriptor, and reads of what was just written to a log, which the page
// cache holds (on a disk that stalls, the reading thread waits as it
// would, only without lending its scheduler slot meanwhile). The
// reading of whole files (-a, a first run, rotated siblings) keeps the
// usual calls.

// readAt is f.ReadAt: it fills b from off, or returns io.EOF.
func readAt(f *os.File, b []byte, off int64) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return f.ReadAt(b, off)
	}
	var n int
	var errno syscall.Errno
	cerr := rc.Control(func(fd uintptr) {
		for n < len(b) {
			r, _, e := syscall.RawSyscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n), uintptr(off+int64(n)), 0, 0)
			if e == unix.EINTR {
				continue
			}
			if e != 0 || r == 0 {
				errno = e
				return
			}
			n += int(r)
		}
	})
	switch {
	case cerr != nil:
		return n, cerr
	case errno != 0:
		return n, &os.PathError{Op: "read", Path: f.Name(), Err: errno}
	case n < len(b):
		return n, io.EOF
	}
	return n, nil
}

// fileSize is f.Stat().Size().
func fileSize(f *os.File) (int64, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return statSize(f)
	}
	var st unix.Stat_t
	var errno syscall.Errno
	cerr := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.RawSyscall(unix.SYS_FSTAT, fd, uintptr(unsafe.Pointer(&st)), 0)
	})
	if cerr != nil {
		return 0, cerr
	}
	if errno != 0 {
		return 0, errno
	}
	return st.Size, nil
}

// atFDCWD is AT_FDCWD (-100) as a system call's argument.
var atFDCWD = ^uintptr(99)

// statID is the identity of the file at path, as os.Stat would give it.
func statID(path string) (fileID, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return fileID{}, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	var st unix.Stat_t
	for {
		_, _, errno := syscall.RawSyscall6(unix.SYS_NEWFSTATAT, atFDCWD, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&st)), 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return fileID{}, &os.PathError{Op: "stat", Path: path, Err: errno}
		}
		return fileID{uint64(st.Dev), uint64(st.Ino)}, nil
	}
}
