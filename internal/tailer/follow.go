package tailer

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Follow mode. Each log is followed by its path, each of its files by its
// descriptor. inotify (through fsnotify, on the logs' directories) says
// when to look; a timer looks anyway, often when inotify is missing (NFS,
// exhausted inotify instances, a directory that does not exist yet).
//
// A file at the path that is not the one being read (logrotate renamed
// the old one and created a new one, or the file was deleted and written
// again) is opened at once, by the watcher's goroutine, before it may be
// rotated away in turn. The old file is read on, oldest first, until it
// has been quiet for drainQuiet and the new one has been written to: a
// writer such as rsyslog appends to the renamed file until logrotate's
// postrotate tells it to reopen. A file that was cut (copytruncate) is
// noticed by its size or its first bytes, and what was not read of it yet
// is read from logrotate's copy.
var (
	pollSlow   = 250 * time.Millisecond // with inotify: a safety net
	pollFast   = 50 * time.Millisecond  // without
	drainQuiet = time.Second            // an old file this quiet, and a newer one written to: done
	drainMax   = 5 * time.Minute        // an old file this quiet: done, whatever the new one does
	saveEvery  = 2 * time.Second        // the state, when it changed
	// While lines keep coming (passes less than streamGap apart find
	// some), the follower reads every passGap and takes inotify's events
	// only after each pass. inotify tells of every write(), and a pass
	// per write woke every stage of the pipeline per line; events left
	// in the kernel's queue meanwhile merge into one. A line after a
	// quiet spell is still read at once; in a stream, a line waits
	// passGap at most, well inside SPEC's 100 ms.
	passGap   = 25 * time.Millisecond
	streamGap = 50 * time.Millisecond
)

func (t *tailer) follow(ctx context.Context, srcs []*source) error {
	h := hooksOf(ctx)
	following := h.following
	// The run's hooks may leave inotify aside and poll at their own pace.
	pollFast := cmp.Or(h.pollOnly, pollFast)
	w, err := fsnotify.NewWatcher()
	if h.pollOnly > 0 && err == nil {
		w.Close()
		w = nil
	}
	if err != nil {
		t.warnf("no inotify (%v): looking for new lines every %v", err, pollFast)
		w = nil
	}
	wake := make(chan struct{}, 1)
	g := &gate{next: make(chan struct{}, 1), quit: make(chan struct{})}
	if w != nil {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			watch(w, srcs, wake, g)
		}()
		defer func() {
			close(g.quit)
			w.Close()
			wg.Wait()
		}()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	lastSave := time.Now()
	var saved []string // the state's entries at the last save, to save only changes
	saveFailed := false
	var lastFound time.Time // when a pass last found lines
	for ctx.Err() == nil {
		allWatched := w != nil
		for _, s := range srcs {
			if s.stdin {
				continue
			}
			if w != nil && !s.watched.Load() {
				if w.Add(s.dir) == nil {
					s.watched.Store(true)
				}
			}
			allWatched = allWatched && s.watched.Load()
		}
		more := false
		linesBefore := t.out.written
		for _, s := range srcs {
			if s.stdin || s.stopped {
				continue
			}
			m, err := t.poll(ctx, s)
			if err != nil {
				return err
			}
			more = more || m
		}
		if found := t.out.written != linesBefore; found {
			g.streaming.Store(w != nil && time.Since(lastFound) < streamGap)
			lastFound = time.Now()
		} else {
			g.streaming.Store(false)
		}
		g.open()
		if err := t.out.flush(); err != nil {
			return err
		}
		if t.state != nil && time.Since(lastSave) >= saveEvery {
			lastSave = time.Now()
			if now := t.stateKey(); !slices.Equal(now, saved) {
				if err := t.saveState(); err != nil {
					if !saveFailed {
						t.warnf("%v", err) // said once; the last save says it again
					}
					saveFailed = true
				} else {
					saved, saveFailed = now, false
				}
			}
		}
		if more {
			continue
		}
		if following != nil {
			following()
			following = nil
		}
		interval := pollSlow
		wakeOn := wake
		switch {
		case g.streaming.Load():
			interval, wakeOn = passGap, nil
		case !allWatched:
			interval = pollFast
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
		case <-wakeOn:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
	return nil
}

// gate holds inotify's events back while lines keep coming: the watcher
// takes them once per pass of the follow loop.
type gate struct {
	streaming atomic.Bool
	next      chan struct{} // a pass is done
	quit      chan struct{}
}

// open lets the watcher take the events queued so far.
func (g *gate) open() {
	select {
	case g.next <- struct{}{}:
	default:
	}
}

// wait returns at once unless lines keep coming; then after the next
// pass. false: the follow loop is over.
func (g *gate) wait() bool {
	if !g.streaming.Load() {
		return true
	}
	select {
	case <-g.next:
		return true
	case <-g.quit:
		return false
	}
}

// watch turns the watcher's events into wake-ups of the follow loop, and
// opens a file created at a log's path at once (after the pass under way,
// while lines keep coming).
func watch(w *fsnotify.Watcher, srcs []*source, wake chan<- struct{}, g *gate) {
	for g.wait() {
		select {
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			name := filepath.Clean(ev.Name)
			hit := false
			for _, s := range srcs {
				if s.stdin {
					continue
				}
				if name == s.dir && ev.Has(fsnotify.Remove|fsnotify.Rename) {
					// The directory went: its watch with it. The follow
					// loop polls, and watches it again when it is back.
					s.watched.Store(false)
					hit = true
				}
				if !strings.HasPrefix(name, s.clean) {
					continue
				}
				hit = true
				if name == s.clean && ev.Has(fsnotify.Create) {
					s.grab() // errors are reported by the follow loop's own grab
				}
			}
			if hit {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflowed queue lost events: look at everything.
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
}

// grab opens the file at s's path if it is not the newest one opened, and
// queues it for reading.
func (s *source) grab() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fi, err := os.Stat(s.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	if s.haveLast && idOf(fi) == s.last {
		return nil
	}
	r, err := openReader(s.path, s.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	if s.haveLast && r.id == s.last {
		r.close()
		return nil
	}
	if s.haveLast {
		s.queued = append(s.queued, s.missed(r.id)...)
	}
	s.last, s.haveLast = r.id, true
	s.queued = append(s.queued, r)
	return nil
}

// missed opens the files that were created at s's path and rotated away
// again before they were seen (two rotations between two looks, on a
// busy machine): the plain rotated files newer than the last file opened,
// found by its inode among them, other than now (the file at the path).
// A file compressed at once by its rotation is not found this way.
func (s *source) missed(now fileID) []*reader {
	sibs, err := siblings(s.path)
	if err != nil {
		return nil
	}
	j := slices.IndexFunc(sibs, func(sb sibling) bool { return sb.comp == "" && sb.id == s.last })
	if j < 0 {
		return nil
	}
	var rs []*reader
	for _, sb := range sibs[j+1:] {
		if sb.comp != "" || sb.id == now {
			continue
		}
		r, err := openReader(sb.path, s.path)
		if err != nil || r.id != sb.id {
			r.close()
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

// poll makes one pass over a log: it takes in a new file at its path,
// reads its files oldest first, and closes the old ones done with. It
// reports whether a file has more to read than one pass takes.
func (t *tailer) poll(ctx context.Context, s *source) (more bool, err error) {
	if err := s.grab(); err != nil {
		if msg := withHint(err).Error(); msg != s.errMsg {
			s.errMsg = msg
			t.errorf("%s", msg)
		}
	} else {
		s.errMsg = ""
	}
	s.mu.Lock()
	for _, r := range s.queued {
		s.trail = append(s.trail, trailItem{r: r})
	}
	s.queued = nil
	s.mu.Unlock()

	// Files are read oldest first, and lines leave in the order they were
	// written: a writer appends to the old file until it reopens, then
	// only to the new one. A newer file's chunk is written out only if
	// the older files have not grown since they were read to their end
	// (else they are read again first); a chunk read after that holds
	// only lines written after all of theirs. Should two writers append
	// to old and new alike, their lines have no order to keep: after
	// drainQuiet the newer file is read regardless.
	restarts := 0
	for i, cuts := 0, 0; i < len(s.trail); i++ {
		r := s.trail[i].r
		if r == nil {
			continue
		}
		var olderDone func() bool
		if hasOlder(s.trail[:i]) && (s.deferSince.IsZero() || time.Since(s.deferSince) < drainQuiet) {
			older := s.trail[:i]
			olderDone = func() bool { return atEnd(older) }
		}
		res, err := t.readAvail(r, passMax, olderDone)
		if err != nil {
			return false, err
		}
		switch res {
		case readAll:
			if i == lastReader(s.trail) {
				s.deferSince = time.Time{}
			}
		case readMore:
			// Newer files wait: lines leave in the order they were written.
			return true, nil
		case readDeferred:
			if s.deferSince.IsZero() {
				s.deferSince = time.Now()
			}
			if restarts++; restarts > 3 {
				return true, nil
			}
			i = -1 // from the oldest file again
		case readTruncated:
			if err := t.cut(ctx, s, r); err != nil {
				return false, err
			}
			if cuts++; cuts < 3 {
				i-- // read it again, from its start
			}
		}
	}

	// Close the old files that are done with, oldest first.
	now := time.Now()
	for {
		first, newerWritten := -1, false
		for i, it := range s.trail {
			if it.r == nil {
				continue
			}
			if first < 0 {
				first = i
			} else if it.r.size > 0 {
				newerWritten = true
			}
		}
		if first < 0 || first == lastReader(s.trail) {
			break
		}
		r := s.trail[first].r
		quiet := now.Sub(r.grown)
		if quiet < drainQuiet || !newerWritten && quiet < drainMax {
			break
		}
		if err := r.finish(t.out); err != nil {
			return false, err
		}
		e := entryOf(r.name, r.id, r.fp, &r.splitter)
		r.close()
		s.trail[first] = trailItem{done: &e}
		s.compact()
	}
	return false, nil
}

func hasOlder(trail []trailItem) bool {
	for _, it := range trail {
		if it.r != nil {
			return true
		}
	}
	return false
}

// atEnd reports whether the open files of trail were read to their end.
func atEnd(trail []trailItem) bool {
	for _, it := range trail {
		if it.r == nil {
			continue
		}
		fi, err := it.r.f.Stat()
		if err == nil && fi.Size() > it.r.pos() {
			return false
		}
	}
	return true
}

func lastReader(trail []trailItem) int {
	for i := len(trail) - 1; i >= 0; i-- {
		if trail[i].r != nil {
			return i
		}
	}
	return -1
}

// stateKey sums up the positions to save, to tell whether they changed.
func (t *tailer) stateKey() []string {
	var k []string
	for _, s := range t.srcs {
		if s.stdin {
			continue
		}
		for _, e := range s.entries() {
			k = append(k, s.key, e.FP, e.Name, strconv.FormatInt(e.Offset, 10), strconv.FormatUint(e.Ino, 10))
		}
	}
	return k
}
