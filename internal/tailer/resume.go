package tailer

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
)

// With -state, a run starts where the last one stopped: the files the
// state names are found again (rotated, compressed or not) and read from
// their position, and at the end the position of each log goes back into
// the state.

// resume finds again the files the state remembers for s and reads the
// rest of each; then, if the live file is not one of them, every file
// rotated since. It returns where to start the live file (Offset, Lines).
func (t *tailer) resume(ctx context.Context, s *source, saved []entry, sibs []sibling, live *reader) (entry, error) {
	var livePrefix []byte
	if live != nil {
		n, err := live.f.ReadAt(t.fp, 0)
		if err != nil && !errors.Is(err, io.EOF) {
			return entry{}, fmt.Errorf("read %s: %w", s.path, err)
		}
		livePrefix = bytes.Clone(t.fp[:n])
	}
	liveAt, liveFound := entry{}, false
	used := make([]bool, len(sibs))
	newest, lost := -1, false
	// s.rest: the saved entries not done with, for a state saved on the
	// way (a checkpoint) or after a file that could not be read.
	rest := func(from int) []entry {
		es := slices.Clone(saved[from:])
		if liveFound && !slices.Contains(es, liveAt) {
			es = append(es, liveAt)
		}
		return es
	}
	for i, e := range saved {
		if live != nil && live.id == e.id() && e.matches(livePrefix) && liveSize(live) >= e.Offset {
			liveAt, liveFound = e, true
			continue
		}
		s.rest = rest(i + 1)
		k, err := locate(e, sibs, used)
		if err != nil {
			s.rest = rest(i)
			return entry{}, keptPosition(s, err)
		}
		if k < 0 {
			// Nothing read of it yet (it was empty): the files
			// modified since will have its lines, if any.
			if e.Offset > 0 {
				t.warnf("%s: lost track of %s (inode %d), read up to offset %d by the last run: lines written to it since may be missing", s.path, e.Name, e.Ino, e.Offset)
			}
			lost = true
			continue
		}
		used[k] = true
		newest = max(newest, k)
		if err := t.readSibling(ctx, s, sibs[k], e); err != nil {
			if ctx.Err() == nil {
				s.rest = rest(i)
			}
			return entry{}, keptPosition(s, err)
		}
	}
	s.rest = rest(len(saved))
	if liveFound {
		return liveAt, nil
	}
	// The live file is new since the last run: first the files rotated in
	// between, whole. When a remembered file was not found, they are those
	// modified since the last run.
	for k := newest + 1; k < len(sibs); k++ {
		if used[k] || newest < 0 && lost && !sibs[k].mtime.After(t.state.Saved) {
			continue
		}
		if err := t.readSibling(ctx, s, sibs[k], entry{}); err != nil {
			return entry{}, keptPosition(s, err)
		}
	}
	return entry{}, nil
}

func liveSize(r *reader) int64 {
	fi, err := r.f.Stat()
	if err != nil {
		return -1
	}
	return fi.Size()
}

// keptPosition is the error of a log that stops at a file it cannot read:
// the rest of the log is left for a run that can read it, and the state
// keeps the position before that file (collectState).
func keptPosition(s *source, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	s.stopped = true
	return fmt.Errorf("%w\nhint: %s is not read on, and its position is kept: once the file is mended (or removed), the next run goes on from there", err, s.path)
}

// locate finds the sibling that holds the file of e: by identity (a file
// rotated by rename keeps its inode) and first bytes, else by first bytes
// alone (it was compressed), newest first. When a file that may be it
// cannot be read, it says so rather than lose track.
func locate(e entry, sibs []sibling, used []bool) (int, error) {
	for k, sb := range sibs {
		if used[k] || sb.comp != "" || sb.id != e.id() {
			continue
		}
		p, err := prefix(sb.path, "", e.FPLen)
		if err != nil {
			return -1, fmt.Errorf("read %s: %w", sb.path, err)
		}
		if e.matches(p) {
			return k, nil
		}
	}
	if e.FPLen == 0 {
		return -1, nil // an empty file cannot be told by its content
	}
	var unreadable error
	for k := len(sibs) - 1; k >= 0; k-- {
		if used[k] {
			continue
		}
		p, err := prefix(sibs[k].path, sibs[k].comp, e.FPLen)
		if err != nil && len(p) < e.FPLen {
			unreadable = cmp.Or(unreadable, fmt.Errorf("read %s: %w", sibs[k].path, err))
			continue
		}
		if e.matches(p) {
			return k, nil
		}
	}
	return -1, unreadable
}

// entries are the state entries of s: its open files, and the last file
// read to its end if it came after them.
func (s *source) entries() []entry {
	var es []entry
	for i, it := range s.trail {
		switch {
		case it.r != nil:
			es = append(es, entryOf(it.r.name, it.r.id, it.r.fp, &it.r.splitter))
		case i == len(s.trail)-1 && s.cur == nil:
			es = append(es, *it.done)
		}
	}
	if s.cur != nil {
		es = append(es, s.cur())
	}
	es = append(es, s.rest...)
	s.mu.Lock()
	for _, r := range s.queued {
		es = append(es, entryOf(r.name, r.id, r.fp, &r.splitter))
	}
	s.mu.Unlock()
	return es
}

// collectState puts the position of every log read into the state.
// A log of which nothing could be read keeps its old entries.
func (t *tailer) collectState() {
	for _, s := range t.srcs {
		if s.stdin {
			continue
		}
		if es := s.entries(); len(es) > 0 {
			t.state.Files[s.key] = es
		}
	}
	if c := t.cursor(); c != "" {
		t.state.Journal = c
	}
}
