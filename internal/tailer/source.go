package tailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// defaultLogs are the system's mail logs, read when no FILE is named:
// Debian and Ubuntu, RHEL and its kin, dovecot's log_path, and
// docker-mailserver.
var defaultLogs = []string{"/var/log/mail.log", "/var/log/maillog", "/var/log/dovecot.log", "/var/log/mail/mail.log"}

const (
	// holdRecent: in a run without -f, a rotated file modified this
	// recently may still be written to; a last line without its newline
	// is kept for the next run instead of being written out half.
	holdRecent = 10 * time.Second
)

// A source is one log named on the command line, followed by its path:
// the file at the path now, and the files that were at the path before
// and are still being read (renamed by logrotate, or deleted, while the
// writer still appends to them).
type source struct {
	path  string // as given: the "file" of the records
	clean string // filepath.Clean(path), compared with watcher events
	key   string // absolute path: the state's key
	dir   string // the directory watched in follow mode
	stdin bool

	stopped    bool         // a file of it could not be read: it is read no further
	cur        func() entry // the position in the file being read, while start reads it
	rest       []entry      // while start reads: the state's entries not done with yet
	watched    atomic.Bool  // its directory is watched by inotify
	errMsg     string       // the last error reported for the path, not repeated
	deferSince time.Time    // since when a newer file waits for older ones

	// trail holds the files of the log in the order they were read: open
	// readers, and files read to their end (kept as state entries, and
	// only the last of them).
	trail []trailItem

	mu       sync.Mutex // guards what follows: grab runs in two goroutines
	last     fileID     // the newest file opened at path
	haveLast bool
	queued   []*reader // opened at path, not read yet
}

type trailItem struct {
	r    *reader
	done *entry
}

func (t *tailer) sources() ([]*source, error) {
	names := t.cfg.files
	if len(names) == 0 {
		for _, p := range defaultLogs {
			if _, err := os.Stat(p); err == nil {
				names = append(names, p)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no mail log found (looked for %s)\nhint: name the log file, or read systemd's journal with -journal", strings.Join(defaultLogs, ", "))
		}
	}
	var srcs []*source
	seen := map[string]bool{}
	seenID := map[fileID]string{} // what a file is, so that it is read once
	for _, n := range names {
		if n == "-" {
			srcs = append(srcs, &source{path: "<stdin>", stdin: true})
			continue
		}
		abs, err := filepath.Abs(n)
		if err != nil {
			return nil, err
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if fi, err := os.Stat(n); err == nil && fi.Mode().IsRegular() {
			id := idOf(fi)
			if first, ok := seenID[id]; ok {
				t.warnf("%s is %s: read once", n, first)
				continue
			}
			seenID[id] = "the file " + n
		}
		if t.cfg.all {
			// -a reads the rotated files too: one named as well is one
			// of them.
			sibs, _ := siblings(n)
			for _, sb := range sibs {
				if _, ok := seenID[sb.id]; !ok && sb.comp == "" {
					seenID[sb.id] = "a rotated file of " + n + ", read with -a"
				}
			}
		}
		clean := filepath.Clean(n)
		srcs = append(srcs, &source{path: n, clean: clean, key: abs, dir: filepath.Dir(clean)})
	}
	return srcs, nil
}

// runFiles reads the logs, and follows them with -f.
func (t *tailer) runFiles(ctx context.Context) error {
	srcs, err := t.sources()
	if err != nil {
		return err
	}
	t.srcs = srcs
	defer func() {
		for _, s := range srcs {
			s.closeAll()
		}
	}()
	for _, s := range srcs {
		if ctx.Err() != nil {
			return nil
		}
		if s.stdin {
			c := newAheadChunks(ctx, t.stdin, false, false)
			sp := &splitter{name: ""}
			err := t.readStream(ctx, c, sp, 0, false)
			c.close()
			if err := t.fileErr(ctx, err); err != nil {
				return err
			}
			continue
		}
		if err := t.fileErr(ctx, t.start(ctx, s)); err != nil {
			return err
		}
		if !t.cfg.follow {
			if err := t.fileErr(ctx, t.readOnce(ctx, s)); err != nil {
				return err
			}
		}
	}
	if t.cfg.follow && ctx.Err() == nil {
		return t.follow(ctx, srcs)
	}
	return nil
}

// fileErr sorts the errors of reading a file: output errors end the run,
// a cancelled run just stops, and the rest are reported and the run goes
// on (to exit 1 at the end).
func (t *tailer) fileErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case t.out.err != nil:
		return fmt.Errorf("write output: %w", t.out.err)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return nil
	}
	t.errorf("%v", withHint(err))
	return nil
}

func withHint(err error) error {
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%w\nhint: the mail log is readable by root and, on Debian, the group adm: run mailcop-tail as one of them", err)
	}
	return err
}

func (s *source) closeAll() {
	for _, it := range s.trail {
		if it.r != nil {
			it.r.close()
		}
	}
	s.mu.Lock()
	for _, r := range s.queued {
		r.close()
	}
	s.mu.Unlock()
}

// start opens a log and reads what comes before its live file: the rest
// of the files the state remembers and those rotated since, or with -a
// the whole history. The live file is left in the trail, positioned.
func (t *tailer) start(ctx context.Context, s *source) error {
	var saved []entry
	if t.state != nil {
		saved = t.state.Files[s.key]
	}
	live, err := openReader(s.path, s.path)
	missing := err // for the message when nothing at all is found
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		live, err = nil, nil
	case errors.Is(err, errNotRegular) && t.state == nil:
		return t.readSpecial(ctx, s)
	case errors.Is(err, errNotRegular):
		return fmt.Errorf("read %s: not a regular file: no position to remember", s.path)
	default:
		return err
	}
	if live != nil {
		s.mu.Lock()
		s.last, s.haveLast = live.id, true
		s.mu.Unlock()
	}
	var sibs []sibling
	if len(saved) > 0 || t.cfg.all {
		if sibs, err = siblings(s.path); err != nil {
			live.close()
			return fmt.Errorf("list rotated files of %s: %w", s.path, err)
		}
		if live != nil {
			sibs = slices.DeleteFunc(sibs, func(sb sibling) bool { return sb.comp == "" && sb.id == live.id })
		}
	}
	var liveAt entry
	switch {
	case len(saved) > 0:
		liveAt, err = t.resume(ctx, s, saved, sibs, live)
		if err == nil {
			s.rest = nil // the live file, appended below, is the last of them
		}
	case t.cfg.all:
		for _, sb := range sibs {
			if err = t.readSibling(ctx, s, sb, entry{}); err != nil {
				if err = t.fileErr(ctx, err); err != nil || ctx.Err() != nil {
					break
				}
			}
		}
	case live == nil && !t.cfg.follow:
		return missing
	}
	if err != nil || ctx.Err() != nil {
		live.close()
		return err
	}
	if live == nil {
		if len(s.trail) == 0 && !t.cfg.follow {
			return missing
		}
		return nil
	}
	if t.cfg.lastN >= 0 {
		if liveAt.Offset, err = t.lastLines(live, t.cfg.lastN); err != nil {
			live.close()
			return err
		}
	}
	live.startAt(liveAt.Offset, liveAt.Lines)
	s.trail = append(s.trail, trailItem{r: live})
	return nil
}

// readSibling reads a rotated file from the position of e to its end. An
// uncompressed one stays open in follow mode, as its writer may not have
// let go of it yet; so does one in a -state run that was modified in the
// last seconds and ends in half a line.
func (t *tailer) readSibling(ctx context.Context, s *source, sb sibling, from entry) error {
	if sb.comp != "" {
		if t.state != nil {
			// A damaged file is found before any of its lines is written
			// out, so that the position before it can be kept.
			if err := verify(ctx, sb.path, sb.comp); err != nil {
				return err
			}
		}
		c, err := openChunks(ctx, sb.path, sb.comp)
		if err != nil {
			return err
		}
		defer c.close()
		sp := &splitter{name: sb.path}
		fp := &prefixChunker{chunker: c}
		s.cur = func() entry { return entryOf(sb.path, sb.id, fp.fp, sp) }
		defer func() { s.cur = nil }()
		if err := t.readStream(ctx, fp, sp, from.Offset, false); err != nil {
			if ctx.Err() == nil {
				if sp.lineNo > 0 && !errors.Is(err, errShort) {
					err = fmt.Errorf("%w: damaged; its lines 1 to %d were written out before that showed, and may hold garbled bytes (a -state run checks a file before writing any of it)", err, sp.lineNo)
				}
				return err
			}
			// Cut short: remember how far it was read.
		}
		s.addDone(entryOf(sb.path, sb.id, fp.fp, sp))
		return ctx.Err()
	}
	r, err := openReader(sb.path, sb.path)
	if err != nil {
		return err
	}
	r.startAt(from.Offset, from.Lines)
	s.cur = func() entry { return entryOf(sb.path, r.id, r.fp, &r.splitter) }
	err = t.readToEnd(ctx, s, r)
	s.cur = nil
	if err != nil && ctx.Err() == nil {
		r.close()
		return err
	}
	if t.cfg.follow || t.state != nil && r.partial() && time.Since(sb.mtime) < holdRecent || ctx.Err() != nil {
		s.trail = append(s.trail, trailItem{r: r})
		return ctx.Err()
	}
	if err := r.finish(t.out); err != nil {
		r.close()
		return err
	}
	s.addDone(entryOf(sb.path, r.id, r.fp, &r.splitter))
	r.close()
	return nil
}

// addDone records a file read to its end; of those only the last one is
// kept, the newest file read.
func (s *source) addDone(e entry) {
	s.compact()
	s.trail = append(s.trail, trailItem{done: &e})
}

// compact drops the files read to their end but the last.
func (s *source) compact() {
	out := s.trail[:0]
	for i, it := range s.trail {
		if it.r != nil || i == len(s.trail)-1 {
			out = append(out, it)
		}
	}
	clear(s.trail[len(out):])
	s.trail = out
}

// readToEnd reads a file to its end, in passes that let a cancelled run
// stop.
func (t *tailer) readToEnd(ctx context.Context, s *source, r *reader) error {
	for cuts := 0; ; {
		res, err := t.readAvail(r, passMax, nil)
		if err != nil {
			return err
		}
		switch res {
		case readAll:
			return nil
		case readTruncated:
			if cuts++; cuts > 3 {
				return fmt.Errorf("read %s: truncated again and again while read", r.name)
			}
			if err := t.cut(ctx, s, r); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// readOnce reads the live file of a log to its end, in a run without -f.
// With -state a last line without its newline is kept for the next run;
// without, it is written out as cat would.
func (t *tailer) readOnce(ctx context.Context, s *source) error {
	if len(s.trail) == 0 {
		return nil
	}
	it := s.trail[len(s.trail)-1]
	if it.r == nil {
		return nil
	}
	if err := t.readToEnd(ctx, s, it.r); err != nil {
		return err
	}
	if t.state != nil {
		return nil
	}
	return it.r.finish(t.out)
}

// cut handles a file that was truncated (logrotate's copytruncate, or
// someone emptying it): what was not read yet is in the copy logrotate
// made, found by its first bytes, and is read from there. Then the file
// is read again from its start.
func (t *tailer) cut(ctx context.Context, s *source, r *reader) error {
	t.inCut = true
	defer func() { t.inCut = false }()
	if len(r.fp) > 0 {
		sibs, _ := siblings(s.path)
		for k := len(sibs) - 1; k >= 0; k-- {
			sb := sibs[k]
			if sb.comp == "" && sb.id == r.id {
				continue
			}
			p, err := prefix(sb.path, sb.comp, len(r.fp))
			if err != nil || !bytes.Equal(p, r.fp) {
				continue
			}
			c, err := openChunks(ctx, sb.path, sb.comp)
			if err != nil {
				return err
			}
			sp := &splitter{name: sb.path}
			err = t.readStream(ctx, c, sp, r.off, false)
			c.close()
			if err != nil && !errors.Is(err, errShort) {
				return err
			}
			break
		}
	}
	r.startAt(0, 0)
	r.pend, r.drop, r.fp, r.size = r.pend[:0], 0, r.fp[:0], 0
	return nil
}

// readSpecial reads a named pipe or device once, as a stream.
func (t *tailer) readSpecial(ctx context.Context, s *source) error {
	f, err := openSpecial(ctx, s.path)
	if err != nil || f == nil {
		return err
	}
	defer f.Close()
	c := newAheadChunks(ctx, f, false, false)
	defer c.close()
	return t.readStream(ctx, c, &splitter{name: s.path}, 0, false)
}

// prefixChunker keeps the first fpMax bytes of a stream, to remember the
// stream by them.
type prefixChunker struct {
	chunker
	fp []byte
}

func (p *prefixChunker) next() ([]byte, error) {
	b, err := p.chunker.next()
	if len(p.fp) < fpMax {
		p.fp = append(p.fp, b[:min(len(b), fpMax-len(p.fp))]...)
	}
	return b, err
}

// openSpecial opens a named pipe, which waits for a writer, in a way a
// cancelled run does not wait for: it returns nil, nil when ctx ends
// first.
func openSpecial(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
	}
	// Free the open still waiting: a writer that comes and goes lets it
	// return (at once at EOF); the file is closed when it does.
	if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
	go func() {
		if o := <-ch; o.f != nil {
			o.f.Close()
		}
	}()
	return nil, nil
}
