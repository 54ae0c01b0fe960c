package tailer

import (
	"cmp"
	"context"
	"errors"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Follow mode. Each log is followed by its path, each of its files by its
// descriptor. inotify (through fsnotify, on the logs' directories) says
// when to look; a timer looks anyway, often when inotify is missing (NFS,
// exhausted inotify instances, a directory that does not exist yet).
//
// A file at the path that is not the one being read (logrotate renamed
// the old one and created a new one, or the file was deleted and written
// again) is opened by the pass that inotify's event starts, before it may
// be rotated away in turn. The old file is read on, oldest first, until it
// has been quiet for drainQuiet and the new one has been written to: a
// writer such as rsyslog appends to the renamed file until logrotate's
// postrotate tells it to reopen. A file that was cut (copytruncate) is
// noticed by its size or its first bytes, and what was not read of it yet
// is read from logrotate's copy.
var (
	pollSlow   = time.Second           // with inotify: a safety net (each look wakes the process)
	pollFast   = 50 * time.Millisecond // without
	drainQuiet = time.Second           // an old file this quiet, and a newer one written to: done
	drainMax   = 5 * time.Minute       // an old file this quiet: done, whatever the new one does
	saveEvery  = 2 * time.Second       // the state, when it changed
	// While lines keep coming (passes less than streamGap apart find
	// some), the follower reads every passGap and takes inotify's events
	// only then. inotify tells of every write(), and a pass
	// per write woke every stage of the pipeline per line; events left
	// in the kernel's queue meanwhile merge into one. A line after a
	// quiet spell is still read at once; in a stream, a line waits
	// passGap at most, inside SPEC's 100 ms. Each pass wakes the four
	// stages once, at a cost (about 100 µs of CPU each) that the lines
	// it carries share: at 100 lines a second, 25 ms took 200 µs a line.
	passGap   = 50 * time.Millisecond
	streamGap = 80 * time.Millisecond // > passGap: a stream read in passes stays one
)

// A notifier tells the follow loop that a watched directory changed.
type notifier interface {
	add(dir string) error
	// wait returns the changes seen until deadline, as soon as there are
	// some, or nothing when ctx ends; a zero deadline: those queued now.
	wait(ctx context.Context, deadline time.Time) ([]change, error)
	// nap sleeps d, or until ctx ends, whatever changes meanwhile.
	nap(ctx context.Context, d time.Duration)
	close() error
}

// A change is an event in a watched directory.
type change struct {
	name     string // the path it is about, clean
	created  bool   // a file was created or moved to name
	gone     bool   // name was deleted or moved away
	overflow bool   // events were lost: look at everything
}

// followProcs is the GOMAXPROCS of a follower (0: left alone; tests that
// run followers in their own process leave it). A follow pass is one
// goroutine's work; with a second scheduler slot idle, each timer or
// goroutine made ready wakes a second thread to look for work, which
// finds none: two more context switches a pass.
var followProcs = 1

func (t *tailer) follow(ctx context.Context, srcs []*source) error {
	if followProcs > 0 {
		runtime.GOMAXPROCS(followProcs)
	}
	h := hooksOf(ctx)
	following := h.following
	// The run's hooks may leave inotify aside and poll at their own pace.
	pollFast := cmp.Or(h.pollOnly, pollFast)
	var n, creations notifier
	if h.pollOnly == 0 {
		var err error
		if n, err = newNotifier(ctx, false); err != nil {
			t.warnf("no inotify (%v): looking for new lines every %v", err, pollFast)
			n = nil
		}
	}
	if n != nil {
		defer n.close()
		// A file created at a log's path is opened at once, even while
		// a pass reads the one before: it may be rotated away in turn
		// before the pass is over. Creations are rare: this goroutine
		// does not wake per line.
		var err error
		if creations, err = newNotifier(ctx, true); err == nil {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				grabCreated(ctx, creations, srcs)
			}()
			defer func() {
				creations.close()
				wg.Wait()
			}()
		}
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	lastSave := time.Now()
	var saved []string // the state's entries at the last save, to save only changes
	saveFailed := false
	var lastFound time.Time // when a pass last found lines
	streaming := false
	for ctx.Err() == nil {
		allWatched := n != nil
		for _, s := range srcs {
			if s.stdin {
				continue
			}
			if n != nil && !s.watched.Load() {
				if n.add(s.dir) == nil {
					s.watched.Store(true)
					if creations != nil {
						creations.add(s.dir)
					}
				}
			}
			allWatched = allWatched && s.watched.Load()
		}
		if h.pass != nil {
			h.pass()
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
		t.onlyWrites = false // until a wait says so again
		if found := t.out.written != linesBefore; found {
			now := time.Now()
			streaming = n != nil && now.Sub(lastFound) < streamGap
			lastFound = now
		} else {
			streaming = false
		}
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
		switch {
		case n == nil:
			sleepTimer(ctx, timer, pollFast)
		case streaming:
			// Lines keep coming: read again after passGap, whatever
			// inotify says meanwhile (its events merge in its queue).
			n.nap(ctx, passGap)
			if _, err := t.await(ctx, n, srcs, time.Time{}); err != nil {
				return err
			}
		default:
			interval := pollSlow
			if !allWatched {
				interval = pollFast
			}
			if _, err := t.await(ctx, n, srcs, time.Now().Add(interval)); err != nil {
				return err
			}
		}
	}
	return nil
}

func sleepTimer(ctx context.Context, timer *time.Timer, d time.Duration) {
	timer.Reset(d)
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
	timer.Stop()
}

// await waits until a change concerns one of the logs, or deadline (zero:
// takes only the changes queued). A directory that went is watched again
// by the next pass, once it is back. It sets t.onlyWrites: whether all
// that was told were writes, no file created, moved or deleted.
func (t *tailer) await(ctx context.Context, n notifier, srcs []*source, deadline time.Time) (bool, error) {
	t.onlyWrites = false
	names := false
	for ctx.Err() == nil {
		cs, err := n.wait(ctx, deadline)
		if err != nil {
			return false, err
		}
		if len(cs) == 0 {
			return false, nil
		}
		hit := false
		for _, c := range cs {
			names = names || c.created || c.gone || c.overflow
			if c.overflow {
				hit = true
				continue
			}
			for _, s := range srcs {
				if s.stdin {
					continue
				}
				if c.name == s.dir && c.gone {
					s.watched.Store(false)
					hit = true
				}
				if strings.HasPrefix(c.name, s.clean) {
					hit = true
				}
			}
		}
		if hit {
			t.onlyWrites = !names
			return true, nil
		}
	}
	return false, nil
}

// grabCreated opens a file created at a log's path as soon as creations
// tells of it, until the notifier is closed or ctx ends.
func grabCreated(ctx context.Context, creations notifier, srcs []*source) {
	for ctx.Err() == nil {
		cs, err := creations.wait(ctx, time.Now().Add(time.Hour))
		if err != nil {
			return
		}
		for _, c := range cs {
			for _, s := range srcs {
				if !s.stdin && c.created && c.name == s.clean {
					s.grab() // errors are reported by the follow loop's own grab
				}
			}
		}
	}
}

// grab opens the file at s's path if it is not the newest one opened, and
// queues it for reading.
func (s *source) grab() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := statID(s.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	if s.haveLast && id == s.last {
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
	// When inotify told of writes only, the path still names the file
	// opened last: no stat (a tenth of a pass at a line a pass).
	if !t.onlyWrites {
		if err := s.grab(); err != nil {
			if msg := withHint(err).Error(); msg != s.errMsg {
				s.errMsg = msg
				t.errorf("%s", msg)
			}
		} else {
			s.errMsg = ""
		}
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
