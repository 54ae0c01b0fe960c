package tailer

import (
	"encoding/base64"
	"fmt"
	"io"
	"sync"

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
	w   *record.Writer
	err error // the first write error; later writes are skipped

	// A line's record is {"file":FILE,"line":LINE}: the part before LINE
	// is encoded once per file, and LINE straight from the bytes read,
	// not copied into a Record's string first (1 GiB of log is 7 million
	// lines).
	file   string
	prefix []byte
	buf    []byte

	lines int // lines written, for follow to tell a pass that found some
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
	if e.prefix == nil || file != e.file {
		e.file = file
		e.prefix = append(e.prefix[:0], '{')
		if file != "" {
			e.prefix = append(record.AppendString(append(e.prefix, `"file":`...), file), ',')
		}
		e.prefix = append(e.prefix, `"line":`...)
	}
	buf, valid := record.AppendBytes(append(e.buf[:0], e.prefix...), b)
	if !valid {
		buf = append(buf, `,"line_b64":"`...)
		buf = base64.StdEncoding.AppendEncode(buf, b)
		buf = append(buf, '"')
	}
	e.buf = append(buf, '}')
	e.err = e.w.WriteJSON(e.buf)
	e.lines++
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
