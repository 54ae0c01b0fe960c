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
//
// The inotify descriptor and a timerfd (the end of a wait, or of a nap)
// are in an epoll set of their own, and that set is what the poller
// watches: one goroutine waits for either, without a Go timer. A Go timer
// wakes the process twice (the poller waits whole milliseconds, rounded
// down, then one more) and the runtime's monitor thread with it. During
// a nap between the passes over a stream the inotify descriptor is left
// out of the set: the first write after a pass would wake the process
// for nothing (the poller is told of every event while no one reads
// them). Reads and waits are raw system calls (see sys_linux.go).
type inotify struct {
	fd    int      // inotify, non-blocking
	tfd   int      // timerfd, non-blocking; -1: none, Go deadlines instead
	ep    *os.File // the epoll set of fd and tfd, in Go's poller
	epfd  int
	rc    syscall.RawConn
	mu    sync.Mutex       // add runs in the follow loop, wait in another goroutine
	dirs  map[int32]string // watch descriptor → directory
	buf   []byte
	stop  func() bool // undoes the context's wake-up
	mask  uint32
	ready [2]unix.EpollEvent

	lastWd             int32 // the last event's watch, name and path
	lastName, lastPath string
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
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	n := &inotify{fd: fd, tfd: -1, epfd: epfd, dirs: map[int32]string{}, buf: make([]byte, 64<<10), mask: allChanges}
	if onlyCreations {
		n.mask = creations
	}
	err = unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	if err == nil {
		err = unix.SetNonblock(epfd, true)
	}
	if err != nil {
		unix.Close(fd)
		unix.Close(epfd)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	if tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC); err == nil {
		if unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(tfd)}) == nil {
			n.tfd = tfd
		} else {
			unix.Close(tfd)
		}
	}
	// A non-blocking descriptor is read through the poller, with deadlines.
	n.ep = os.NewFile(uintptr(epfd), "inotify")
	if n.rc, err = n.ep.SyscallConn(); err != nil {
		n.ep.Close()
		unix.Close(fd)
		if n.tfd >= 0 {
			unix.Close(n.tfd)
		}
		return nil, err
	}
	// The end of the run ends a wait at once.
	n.stop = context.AfterFunc(ctx, func() { n.ep.SetReadDeadline(time.Now()) })
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
	d := time.Until(deadline)
	if deadline.IsZero() || d <= 0 {
		// Only what is queued: one read of the non-blocking descriptor.
		return n.read()
	}
	if !n.arm(d) {
		if err := n.ep.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
	}
	// Cancelled before the deadline above was set: its wake-up was
	// overwritten.
	if ctx.Err() != nil {
		return nil, nil
	}
	changed, _, err := n.epollWait()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, nil
	}
	if err != nil || !changed {
		return nil, err // the deadline passed
	}
	return n.read()
}

// nap sleeps d, or until the end of the run, without being woken by the
// changes meanwhile (they wait in inotify's queue, where the same event
// again merges).
func (n *inotify) nap(ctx context.Context, d time.Duration) {
	if n.tfd < 0 || !n.watchChanges(false) {
		t := time.NewTimer(d)
		sleepTimer(ctx, t, d)
		return
	}
	defer n.watchChanges(true)
	if !n.arm(d) || ctx.Err() != nil {
		return
	}
	for ctx.Err() == nil {
		_, expired, err := n.epollWait()
		if err != nil || expired {
			return
		}
	}
}

// watchChanges puts the inotify descriptor in the epoll set, or takes it
// out (its events then wake nothing). Out, not modified to no events: the
// kernel keeps EPOLLERR and EPOLLHUP in any mask, and inotify's wake-up,
// which names no event, then wakes the waiting thread for nothing.
func (n *inotify) watchChanges(on bool) bool {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(n.fd)}
	op := unix.EPOLL_CTL_DEL
	if on {
		op = unix.EPOLL_CTL_ADD
	}
	_, _, errno := syscall.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(n.epfd), uintptr(op), uintptr(n.fd), uintptr(unsafe.Pointer(&ev)), 0, 0)
	return errno == 0
}

// arm sets the timerfd to expire in d (> 0); false if there is none.
func (n *inotify) arm(d time.Duration) bool {
	if n.tfd < 0 {
		return false
	}
	its := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	_, _, errno := syscall.RawSyscall6(unix.SYS_TIMERFD_SETTIME, uintptr(n.tfd), 0, uintptr(unsafe.Pointer(&its)), 0, 0, 0)
	return errno == 0
}

// epollWait waits in the poller until the epoll set has something: a
// change queued, the timer expired (its count is read), or both.
func (n *inotify) epollWait() (changed, expired bool, err error) {
	var werr error
	err = n.rc.Read(func(epfd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, epfd, uintptr(unsafe.Pointer(&n.ready[0])), uintptr(len(n.ready)), 0, 0, 0)
			if e == unix.EINTR {
				continue
			}
			if e != 0 {
				werr = os.NewSyscallError("epoll_pwait", e)
				return true
			}
			for _, ev := range n.ready[:r] {
				switch int(ev.Fd) {
				case n.fd:
					changed = true
				case n.tfd:
					expired = true
				}
			}
			return r > 0
		}
	})
	if expired {
		var count [8]byte
		syscall.RawSyscall(unix.SYS_READ, uintptr(n.tfd), uintptr(unsafe.Pointer(&count[0])), uintptr(len(count)))
	}
	if err == nil {
		err = werr
	}
	return changed, expired, err
}

// read takes the changes queued, without waiting.
func (n *inotify) read() ([]change, error) {
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
	return n.parse(n.buf[:r]), nil
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
			n.lastWd = 0 // its number may come again, for another directory
			cs = append(cs, change{name: dir, gone: true})
		case len(name) > 0:
			// The same file again and again, mostly: its path is kept.
			if ev.Wd != n.lastWd || string(name) != n.lastName {
				n.lastWd, n.lastName = ev.Wd, string(name)
				n.lastPath = filepath.Join(dir, n.lastName)
			}
			cs = append(cs, change{
				name:    n.lastPath,
				created: ev.Mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0,
				gone:    ev.Mask&(unix.IN_DELETE|unix.IN_MOVED_FROM) != 0,
			})
		}
	}
	return cs
}

func (n *inotify) close() error {
	n.stop()
	err := n.ep.Close()
	unix.Close(n.fd)
	if n.tfd >= 0 {
		unix.Close(n.tfd)
	}
	return err
}
