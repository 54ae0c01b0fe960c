package tailer

import (
	"io"

	"github.com/mailcop/mailcop/internal/record"
)

// outSize is the output's buffer: big writes when reading in bulk.
const outSize = 64 << 10

// An emitter writes lines as records through the record codec. Each write
// it makes holds whole records (a record longer than the buffer goes out
// in a write of its own): a run killed between two writes leaves no half
// record on its output.
type emitter struct {
	w   io.Writer
	out []byte // whole records not written yet
	err error  // the first write error; later writes are skipped

	warnf func(format string, args ...any) // for the lines skipped

	// A line's record is encoded straight from the bytes read, not
	// copied into a Record's string first (1 GiB of log is 7 million
	// lines).
	lines record.LineEncoder
	buf   []byte

	written int // lines written, for follow to tell a pass that found some
}

// line writes one log line (without its newline) as a record (see
// record.LineEncoder for lines that are not UTF-8). Empty lines are
// skipped: a record without "line" tells mailcop-parse nothing.
func (e *emitter) line(file string, b []byte) error {
	if len(b) == 0 || e.err != nil {
		return e.err
	}
	e.buf = append(e.lines.Append(e.buf[:0], file, b), '\n')
	if err := e.put(e.buf); err != nil {
		return err
	}
	e.written++
	return nil
}

func newEmitter(w io.Writer) *emitter {
	return &emitter{w: w, out: make([]byte, 0, outSize)}
}

// put adds one record, newline included, to the output.
func (e *emitter) put(rec []byte) error {
	if len(e.out)+len(rec) > outSize {
		if err := e.flush(); err != nil {
			return err
		}
	}
	if len(rec) > outSize {
		_, e.err = e.w.Write(rec)
		return e.err
	}
	e.out = append(e.out, rec...)
	return nil
}

// tooLong says that a line of sp, n bytes long and ending now, was
// skipped. A warning, not an error: anyone who can get a long line into
// the log must not be able to make the daily run fail.
func (e *emitter) tooLong(sp *splitter, n int64) {
	if e.warnf == nil {
		return
	}
	name := sp.name
	if name == "" {
		name = "<stdin>"
	}
	if sp.noLineNo {
		e.warnf("%s: line at offset %d: %d bytes, longer than %d: skipped", name, sp.off, n, maxLine)
		return
	}
	e.warnf("%s:%d: line of %d bytes, longer than %d: skipped", name, sp.lineNo+1, n, maxLine)
}

// record writes a whole record (a journal entry).
func (e *emitter) record(r *record.Record) error {
	if e.err != nil {
		return e.err
	}
	e.buf = append(r.AppendJSON(e.buf[:0]), '\n')
	return e.put(e.buf)
}

func (e *emitter) flush() error {
	if e.err != nil || len(e.out) == 0 {
		return e.err
	}
	_, e.err = e.w.Write(e.out)
	e.out = e.out[:0]
	return e.err
}
