package tailer

import (
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/mailcop/mailcop/internal/record"
)

// tailer is one run of mailcop-tail.
type tailer struct {
	cfg    config
	stdin  io.Reader
	stderr io.Writer
	out    *emitter
	state  *stateFile // loaded with -state; nil otherwise
	failed bool       // an error was reported: exit 1 at the end
	srcs   []*source  // the logs read

	cursorMu  sync.Mutex
	cursorOut string // the journal cursor of the last entry flushed

	buf []byte // read buffer
	fp  []byte // scratch for fingerprints
}

func newTailer(cfg config, stdin io.Reader, stdout, stderr io.Writer) *tailer {
	return &tailer{
		cfg:    cfg,
		stdin:  stdin,
		stderr: stderr,
		out:    &emitter{w: record.NewWriter(stdout)},
		buf:    make([]byte, chunkSize),
		fp:     make([]byte, fpMax),
	}
}

// warnf prints a warning, after the output written so far.
func (t *tailer) warnf(format string, args ...any) {
	t.out.flush()
	fmt.Fprintf(t.stderr, "warning: "+format+"\n", args...)
}

// errorf reports an error the run goes on after; it then exits 1.
func (t *tailer) errorf(format string, args ...any) {
	t.out.flush()
	fmt.Fprintf(t.stderr, format+"\n", args...)
	t.failed = true
}

// An emitter writes lines as records through the record codec.
type emitter struct {
	w     *record.Writer
	rec   record.Record
	b64   []byte
	extra [1]record.Field
	err   error // the first write error; later writes are skipped
}

// line writes one log line (without its newline) as a record. A line with
// bytes that are not UTF-8 cannot travel in a JSON string as it is: "line"
// has U+FFFD in their place (as encoding/json writes them) and "line_b64"
// the exact bytes, in standard base64 with padding. Empty lines are
// skipped: a record without "line" tells mailcop-parse nothing.
func (e *emitter) line(file string, b []byte) error {
	if len(b) == 0 || e.err != nil {
		return e.err
	}
	e.rec.File = file
	e.rec.Line = string(b)
	e.rec.Extra = nil
	if !utf8.Valid(b) {
		n := base64.StdEncoding.EncodedLen(len(b))
		e.b64 = append(e.b64[:0], make([]byte, n+2)...)
		e.b64[0] = '"'
		base64.StdEncoding.Encode(e.b64[1:], b)
		e.b64[n+1] = '"'
		e.extra[0] = record.Field{Key: "line_b64", Value: e.b64}
		e.rec.Extra = e.extra[:]
	}
	e.err = e.w.Write(&e.rec)
	return e.err
}

// record writes a whole record (a journal entry).
func (e *emitter) record(r *record.Record) error {
	if e.err != nil {
		return e.err
	}
	e.err = e.w.Write(r)
	return e.err
}

func (e *emitter) flush() error {
	if e.err != nil {
		return e.err
	}
	e.err = e.w.Flush()
	return e.err
}
