package tailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

const (
	// chunkSize is the size of each read: big enough for bulk reading at
	// full speed, and the output is flushed after each.
	chunkSize = 256 << 10

	// fpMax is how many of a file's first bytes identify it: a log's
	// first lines carry a time stamp, so no two logs start alike, and a
	// log that was truncated and written again starts differently.
	fpMax = 1024

	// passMax bounds one pass over a file in follow mode, so that a file
	// written faster than it can be read does not starve the others.
	passMax = 64 * chunkSize
)

// fileID is a file's identity: device and inode.
type fileID struct{ dev, ino uint64 }

func idOf(fi fs.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}

// maxLine is the longest line written out, as long as the next stage
// takes (a line of the mail log is a few hundred bytes): a longer one is
// skipped and named, and what is kept of a line never grows past it, so
// a log holding gigabytes without a newline costs no more memory.
const maxLine = record.MaxLine

// A splitter cuts a stream into lines and writes them out.
type splitter struct {
	name string // the "file" of the records
	off  int64  // offset of the end of the last complete line written out
	pend []byte // the bytes after off: a line not complete yet
	drop int64  // or, instead, the bytes of a line too long, skipped so far

	lineNo   int64 // lines up to off
	noLineNo bool  // lineNo is unknown: the reading began in the middle
}

// pos is how far the stream was read.
func (s *splitter) pos() int64 { return s.off + s.drop + int64(len(s.pend)) }

// partial reports whether a line was begun and not ended.
func (s *splitter) partial() bool { return len(s.pend) > 0 || s.drop > 0 }

// startAt sets where the reading begins: offset off, after lines lines
// (0 for not known).
func (s *splitter) startAt(off, lines int64) {
	s.off, s.lineNo, s.noLineNo = off, lines, off > 0 && lines == 0
}

// feed writes out the complete lines that data ends, and keeps the rest.
func (s *splitter) feed(e *emitter, data []byte) error {
	for {
		i := bytes.IndexByte(data, '\n')
		part := data
		if i >= 0 {
			part = data[:i]
		}
		switch {
		case s.drop > 0:
			s.drop += int64(len(part))
		case len(s.pend) > 0 || i < 0:
			if len(s.pend)+len(part) > maxLine {
				s.drop = int64(len(s.pend) + len(part))
				s.releasePend()
			} else {
				s.pend = append(s.pend, part...)
			}
		}
		if i < 0 {
			return nil
		}
		var err error
		switch {
		case s.drop > 0:
			e.tooLong(s, s.drop)
			s.off += s.drop + 1
			s.drop = 0
		case len(s.pend) > 0:
			err = e.line(s.name, s.pend)
			s.off += int64(len(s.pend)) + 1
			s.releasePend()
		case len(part) > maxLine:
			e.tooLong(s, int64(len(part)))
			s.off += int64(len(part)) + 1
		default:
			err = e.line(s.name, part)
			s.off += int64(len(part)) + 1
		}
		s.lineNo++
		if err != nil {
			return err
		}
		data = data[i+1:]
	}
}

func (s *splitter) releasePend() {
	s.pend = s.pend[:0]
	if cap(s.pend) > chunkSize {
		s.pend = nil // do not keep a long line's buffer
	}
}

// finish writes out a last line that has no newline: the file is done.
func (s *splitter) finish(e *emitter) error {
	var err error
	switch {
	case s.drop > 0:
		e.tooLong(s, s.drop)
		s.off += s.drop
		s.drop = 0
	case len(s.pend) > 0:
		err = e.line(s.name, s.pend)
		s.off += int64(len(s.pend))
		s.releasePend()
	default:
		return nil
	}
	s.lineNo++
	return err
}

// A reader reads one regular file, one inode, through its descriptor, so
// that the file can be renamed, deleted or replaced at its path while it
// is read, and keeps the file's first bytes to notice when it is cut.
type reader struct {
	splitter
	f     *os.File
	id    fileID
	fp    []byte // the file's first bytes, up to fpMax
	size  int64  // size at the last look
	grown time.Time
}

// errNotRegular marks a file that is no regular file (a pipe, a device):
// it is read as a stream, once.
var errNotRegular = errors.New("not a regular file")

// openReader opens a regular file at its start. name is the "file" of
// its records.
func openReader(path, name string) (*reader, error) {
	// O_NONBLOCK: opening a named pipe without a writer would block,
	// beyond the reach of SIGTERM; a regular file ignores the flag.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("read %s: is a directory", path)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	return &reader{
		splitter: splitter{name: name},
		f:        f,
		id:       idOf(fi),
		fp:       make([]byte, 0, fpMax),
		grown:    time.Now(),
	}, nil
}

func (r *reader) close() {
	if r != nil && r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

// checkFP reads the file's first bytes again. They must start with r.fp,
// which grows with the file up to fpMax. false means the file was cut:
// truncated, and maybe written again past where it was read.
func (r *reader) checkFP(scratch []byte, size int64) (bool, error) {
	want := min(size, fpMax)
	if want < int64(len(r.fp)) {
		return false, nil
	}
	n, err := readAt(r.f, scratch[:want], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read %s: %w", r.f.Name(), err)
	}
	if n < len(r.fp) || !bytes.Equal(scratch[:len(r.fp)], r.fp) {
		return false, nil
	}
	if n > len(r.fp) {
		r.fp = append(r.fp[:0], scratch[:n]...)
	}
	return true, nil
}

// readResult is what one pass over a file found.
type readResult int

const (
	readAll       readResult = iota // read to the end
	readMore                        // stopped at passMax: more to read
	readTruncated                   // the file was cut; nothing was written out
	readDeferred                    // older files grew: read them first
)

// readAvail reads what was written to r since the last pass and writes
// out its complete lines, up to limit bytes (0: no limit). Each chunk is
// checked against the file's first bytes after it was read: a chunk that
// may come from the file's new content after a copytruncate is dropped.
// When olderDone is set, it is asked after each chunk was read whether
// the chunk may be written out: lines of older files must go first.
func (t *tailer) readAvail(r *reader, limit int64, olderDone func() bool) (readResult, error) {
	size, err := fileSize(r.f)
	if err != nil {
		return readAll, fmt.Errorf("stat %s: %w", r.f.Name(), err)
	}
	if size < r.pos() {
		return readTruncated, nil
	}
	if ok, err := r.checkFP(t.fp, size); err != nil || !ok {
		return readTruncated, err
	}
	if size > r.size {
		r.grown = time.Now()
	}
	r.size = size
	var done int64
	for {
		buf := t.buf
		if t.cfg.follow {
			// Up to the size just seen, not to a read that returns
			// nothing: a system call less a pass. What was written
			// since comes with the next pass, which inotify's event for
			// it starts.
			rest := size - r.pos()
			if rest <= 0 {
				return readAll, nil
			}
			buf = buf[:min(rest, int64(len(buf)))]
		}
		n, err := readAt(r.f, buf, r.pos())
		if n > 0 {
			end := r.pos() + int64(n)
			if ok, err := r.checkFP(t.fp, end); err != nil || !ok {
				return readTruncated, err
			}
			if olderDone != nil && !olderDone() {
				return readDeferred, nil
			}
			r.grown = time.Now()
			r.size = max(r.size, end)
			if err := r.feed(t.out, buf[:n]); err != nil {
				return readAll, err
			}
			if err := t.out.flush(); err != nil {
				return readAll, err
			}
			t.checkpoint()
			done += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return readAll, nil
		}
		if err != nil {
			return readAll, fmt.Errorf("read %s: %w", r.f.Name(), err)
		}
		if limit > 0 && done >= limit {
			return readMore, nil
		}
	}
}

// lastLines returns the offset where the last n lines of r begin; a last
// line without its newline counts.
func (t *tailer) lastLines(r *reader, n int) (int64, error) {
	fi, err := r.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", r.f.Name(), err)
	}
	end := fi.Size()
	if n == 0 {
		return end, nil
	}
	pos := end
	skipLast := true // the newline that ends the file ends its last line
	for pos > 0 {
		k := min(pos, int64(len(t.buf)))
		b := t.buf[:k]
		if _, err := r.f.ReadAt(b, pos-k); err != nil {
			return 0, fmt.Errorf("read %s: %w", r.f.Name(), err)
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' {
				continue
			}
			at := pos - k + int64(i)
			if skipLast && at == end-1 {
				continue
			}
			if n--; n == 0 {
				return at + 1, nil
			}
		}
		skipLast = false
		pos -= k
	}
	return 0, nil
}

// A chunker hands out a stream in chunks, each valid until the next call.
type chunker interface {
	next() ([]byte, error)
	close() error
}

// readStream writes out the lines of a stream, after skipping its first
// skip bytes (already read by an earlier run). A last line without its
// newline is written out unless hold is set; sp.pend then keeps it.
func (t *tailer) readStream(ctx context.Context, c chunker, sp *splitter, skip int64, hold bool) error {
	name := sp.name
	if name == "" {
		name = "<stdin>"
	}
	sp.off, sp.lineNo, sp.noLineNo = skip, 0, false
	for {
		b, err := c.next()
		if skip > 0 {
			k := min(skip, int64(len(b)))
			sp.lineNo += int64(bytes.Count(b[:k], []byte{'\n'}))
			b, skip = b[k:], skip-k
		}
		if len(b) > 0 {
			if ferr := sp.feed(t.out, b); ferr != nil {
				return ferr
			}
			if ferr := t.out.flush(); ferr != nil {
				return ferr
			}
			t.checkpoint()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if skip > 0 {
		return fmt.Errorf("read %s: %w", name, errShort)
	}
	if hold {
		return nil
	}
	return sp.finish(t.out)
}

var errShort = errors.New("shorter than the position the state remembers")

// aheadChunks reads a stream in a goroutine of its own, a few chunks
// ahead: decompression then runs beside the writing of records, on
// another core. With fill unset each chunk is what one read returned, so
// lines from a pipe leave as they arrive; and a read that blocks does not
// keep the run from ending when ctx is cancelled.
type aheadChunks struct {
	ctx    context.Context
	full   chan chunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	wait   bool // close waits for the goroutine (which may not block)
	last   []byte
}

type chunk struct {
	b   []byte
	err error
}

const aheadChunksN = 4

func newAheadChunks(ctx context.Context, r io.Reader, fill, wait bool) *aheadChunks {
	a := &aheadChunks{
		ctx:    ctx,
		full:   make(chan chunk, aheadChunksN),
		free:   make(chan []byte, aheadChunksN),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
		wait:   wait,
	}
	for range aheadChunksN {
		a.free <- make([]byte, chunkSize)
	}
	go a.run(r, fill)
	return a
}

func (a *aheadChunks) run(r io.Reader, fill bool) {
	defer close(a.exited)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.done:
			return
		}
		var n int
		var err error
		if fill {
			// io.ReadFull would turn a decompressor's own
			// io.ErrUnexpectedEOF (a truncated file) into a short read.
			for n < len(b) && err == nil {
				var k int
				k, err = r.Read(b[n:])
				n += k
			}
		} else {
			n, err = r.Read(b)
		}
		select {
		case a.full <- chunk{b[:n], err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *aheadChunks) next() ([]byte, error) {
	if a.last != nil {
		a.free <- a.last[:cap(a.last)]
		a.last = nil
	}
	select {
	case c := <-a.full:
		a.last = c.b
		return c.b, c.err
	case <-a.ctx.Done():
		return nil, a.ctx.Err()
	}
}

func (a *aheadChunks) close() error {
	close(a.done)
	if a.wait {
		<-a.exited
	}
	return nil
}

func statSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
