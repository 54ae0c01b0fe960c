package tailer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inotify read by the follow loop itself, through Go's poller: a wake-up
// is one goroutine made runnable, where fsnotify's reader goroutine and
// its channels made three hand-offs, often on three threads, per line
// written at a low rate.
type inotify struct {
	f    *os.File
	fd   int
	mu   sync.Mutex       // add runs in the follow loop, wait in another goroutine
	dirs map[int32]string // watch descriptor → directory
	buf  []byte
	stop func() bool // undoes the context's wake-up
	mask uint32
}

// The events fsnotify watched a directory for: a file in it created,
// written, moved or deleted, its metadata changed; the directory itself
// deleted or moved. The directory's own events come whatever the mask.
const (
	allChanges = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_MOVED_FROM |
		unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF
	creations = unix.IN_CREATE | unix.IN_MOVED_TO | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF
)

func newNotifier(ctx context.Context, onlyCreations bool) (notifier, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	// A non-blocking descriptor is read through the poller, with deadlines.
	n := &inotify{f: os.NewFile(uintptr(fd), "inotify"), fd: fd, dirs: map[int32]string{}, buf: make([]byte, 64<<10), mask: allChanges}
	if onlyCreations {
		n.mask = creations
	}
	// The end of the run ends a wait at once.
	n.stop = context.AfterFunc(ctx, func() { n.f.SetReadDeadline(time.Now()) })
	return n, nil
}

func (n *inotify) add(dir string) error {
	wd, err := unix.InotifyAddWatch(n.fd, dir, n.mask)
	if err != nil {
		return os.NewSyscallError("inotify_add_watch", err)
	}
	n.mu.Lock()
	n.dirs[int32(wd)] = filepath.Clean(dir)
	n.mu.Unlock()
	return nil
}

func (n *inotify) wait(ctx context.Context, deadline time.Time) ([]change, error) {
	var got int
	if deadline.IsZero() {
		// Only what is queued: one read of the non-blocking descriptor,
		// past the poller (whose deadline may have passed); raw, as
		// sys_linux.go tells why.
		r, _, errno := syscall.RawSyscall(unix.SYS_READ, uintptr(n.fd), uintptr(unsafe.Pointer(&n.buf[0])), uintptr(len(n.buf)))
		for errno == unix.EINTR {
			r, _, errno = syscall.RawSyscall(unix.SYS_READ, uintptr(n.fd), uintptr(unsafe.Pointer(&n.buf[0])), uintptr(len(n.buf)))
		}
		if errno == unix.EAGAIN {
			return nil, nil
		}
		if errno != 0 {
			return nil, os.NewSyscallError("read inotify", errno)
		}
		got = int(r)
	} else {
		if err := n.f.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		// Cancelled before the deadline above was set: its wake-up was
		// overwritten.
		if ctx.Err() != nil {
			return nil, nil
		}
		var err error
		got, err = readRaw(n.f, n.buf) // raw: see sys_linux.go
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return n.parse(n.buf[:got]), nil
}

// parse turns the events read into changes.
func (n *inotify) parse(b []byte) []change {
	n.mu.Lock()
	defer n.mu.Unlock()
	var cs []change
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			break
		}
		name := b[unix.SizeofInotifyEvent:end]
		for len(name) > 0 && name[len(name)-1] == 0 {
			name = name[:len(name)-1]
		}
		b = b[end:]
		if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
			cs = append(cs, change{overflow: true})
			continue
		}
		dir, ok := n.dirs[ev.Wd]
		if !ok {
			continue
		}
		switch {
		case ev.Mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_IGNORED) != 0:
			// The directory went: its watch with it (a moved one would
			// report under its old name). The follow loop polls, and
			// watches it again when it is back.
			if ev.Mask&unix.IN_IGNORED == 0 {
				unix.InotifyRmWatch(n.fd, uint32(ev.Wd))
			}
			delete(n.dirs, ev.Wd)
			cs = append(cs, change{name: dir, gone: true})
		case len(name) > 0:
			cs = append(cs, change{
				name:    filepath.Join(dir, string(name)),
				created: ev.Mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0,
				gone:    ev.Mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0,
			})
		}
	}
	return cs
}

func (n *inotify) close() error {
	n.stop()
	return n.f.Close()
}
