package record

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the longest line a stage accepts; a longer one is reported
// and skipped, so one hostile line cannot make a stage grow without bound.
const MaxLine = 1 << 20

// SyntaxError is a line a stage could not use, with its position.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// LineReader reads lines of at most MaxLine bytes. Before any read that
// may block it calls the flush function set with FlushBeforeBlock, so a
// stage in a live pipeline never sits on output while it waits for input,
// and a bulk run still writes in big batches.
type LineReader struct {
	br    *bufio.Reader
	name  string
	line  int
	long  []byte // assembles lines longer than the bufio buffer
	flush func() error
}

// NewLineReader reads r, calling it name in errors ("<stdin>" for stdin).
func NewLineReader(r io.Reader, name string) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 64<<10), name: name}
}

// FlushBeforeBlock sets the function called before a read that may block.
func (l *LineReader) FlushBeforeBlock(flush func() error) { l.flush = flush }

// Name is the input's name as given.
func (l *LineReader) Name() string { return l.name }

// LineNo is the number of the line last returned, from 1.
func (l *LineReader) LineNo() int { return l.line }

// Next returns the next line without its line ending (LF or CRLF). The
// slice is valid until the next call. At the end of input it returns
// io.EOF; a line over MaxLine gives a *SyntaxError (the line is skipped,
// reading can go on).
func (l *LineReader) Next() ([]byte, error) {
	l.long = l.long[:0]
	tooLong := false
	for {
		if err := l.maybeFlush(); err != nil {
			return nil, err
		}
		chunk, err := l.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer is gathered in l.long, up to
			// MaxLine and one byte more for the '\r' that may end it;
			// beyond that it is only counted through.
			if !tooLong {
				if len(l.long)+len(chunk) > MaxLine+1 {
					tooLong = true
					l.long = l.long[:0]
				} else {
					l.long = append(l.long, chunk...)
				}
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", l.name, err)
		}
		if err != nil && len(chunk) == 0 && len(l.long) == 0 && !tooLong {
			return nil, io.EOF
		}
		l.line++ // a last line without its newline is still a line
		if tooLong {
			return nil, l.tooLong()
		}
		if len(l.long) > 0 {
			l.long = append(l.long, chunk...)
			chunk = l.long
		}
		line := trimEOL(chunk)
		if len(line) > MaxLine {
			return nil, l.tooLong()
		}
		return line, nil
	}
}

func (l *LineReader) tooLong() error {
	return &SyntaxError{File: l.name, Line: l.line, Msg: fmt.Sprintf("line longer than %d bytes skipped", MaxLine)}
}

// maybeFlush flushes when no complete line is buffered, i.e. when the next
// read may wait on the writer upstream.
func (l *LineReader) maybeFlush() error {
	if l.flush == nil {
		return nil
	}
	n := l.br.Buffered()
	if n > 0 {
		if buf, _ := l.br.Peek(n); bytes.IndexByte(buf, '\n') >= 0 {
			return nil
		}
	}
	return l.flush()
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// Reader reads records, one JSON object per line, in the manner of
// bufio.Scanner. A line that is not a valid record is passed to Warn (when
// set), counted, and skipped; only read errors end the scan.
type Reader struct {
	lines *LineReader
	rec   Record
	err   error
	bad   int

	// Warn receives each line that was skipped.
	Warn func(*SyntaxError)
}

// NewReader reads records from r, calling it name in errors.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{lines: NewLineReader(r, name)}
}

// FlushBeforeBlock sets the function called before a read that may block.
func (r *Reader) FlushBeforeBlock(flush func() error) { r.lines.FlushBeforeBlock(flush) }

// Scan advances to the next record, skipping blank and bad lines.
func (r *Reader) Scan() bool {
	for r.err == nil {
		line, err := r.lines.Next()
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				r.report(se)
				continue
			}
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			return false
		}
		if blank(line) {
			continue
		}
		if err := r.rec.Unmarshal(line); err != nil {
			r.report(&SyntaxError{File: r.lines.name, Line: r.lines.line, Msg: "invalid record: " + err.Error()})
			continue
		}
		return true
	}
	return false
}

// blank reports a line of JSON whitespace only. (bytes.TrimSpace would
// also take U+0085 and U+00A0 for blanks, and skip, unreported, lines
// that are not records.)
func blank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func (r *Reader) report(se *SyntaxError) {
	r.bad++
	if r.Warn != nil {
		r.Warn(se)
	}
}

// Record is the record Scan found; it is overwritten by the next Scan
// (Extra's storage included): Clone it to keep it.
func (r *Reader) Record() *Record { return &r.rec }

// Err is the error that ended the scan, if any: a read error, or an error
// of the flush function. Bad lines are not errors.
func (r *Reader) Err() error { return r.err }

// Bad is how many lines were skipped as invalid.
func (r *Reader) Bad() int { return r.bad }

// LineNo is the line number of the current record.
func (r *Reader) LineNo() int { return r.lines.line }

// Writer writes records through a 64 KiB buffer. Flush it before anything
// else is written to the terminal, and check the final Flush's error: a
// full disk shows up there.
type Writer struct {
	bw  *bufio.Writer
	buf []byte
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10)}
}

// Write appends rec and a newline to the buffer.
func (w *Writer) Write(rec *Record) error {
	w.buf = append(rec.AppendJSON(w.buf[:0]), '\n')
	_, err := w.bw.Write(w.buf)
	return err
}

// WriteJSON writes obj, one record already encoded as a JSON object, and
// a newline: for a stage that writes one shape of record at a high rate
// (mailcop-tail's lines) and encodes it itself.
func (w *Writer) WriteJSON(obj []byte) error {
	if _, err := w.bw.Write(obj); err != nil {
		return err
	}
	return w.bw.WriteByte('\n')
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.bw.Flush() }
