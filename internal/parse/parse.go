// Package parse is mailcop-parse: it recognises the auth events in
// postfix and dovecot logs and counts each real attempt once.
package parse

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// Config holds what the log does not say: the year and zone of stamps
// that carry none, and what to emit.
type Config struct {
	// Year is the year of stamps without one; 0 infers it (a stamp never
	// lies more than a day after the reference time).
	Year int
	// Location is the zone of stamps without one (default time.Local).
	Location *time.Location
	// Now is the clock, the reference for year inference on streams.
	Now func() time.Time
	// Since and Until bound the records emitted; zero means unbounded.
	Since, Until time.Time
	// Unmatched emits {"event":"unmatched"} records for dovecot and
	// postfix lines that talk about auth but match no rule.
	Unmatched bool
	// Raw keeps each event's log line in "line" (clear passwords hidden).
	Raw bool
}

// Stats counts what a Parser saw, for -v.
type Stats struct {
	Lines      int // lines read
	Candidates int // lines that mention auth, login or SASL
	Records    int // records emitted
	Failures   int // failed attempts (sum of attempts)
	Logins     int // successful logins
	Unmatched  int // dovecot/postfix auth lines no rule understood
	Bad        int // lines skipped as unusable (too long, invalid JSON)
}

// Parser turns log lines into records. It keeps the counting state across
// inputs, so rotated files read in a row pair their lines too.
//
// Reading runs as a small pipeline (see pipeline): workers find and parse
// the candidate lines of whole blocks side by side (the bulk of the work),
// and the caller's goroutine reads the blocks and takes their results in
// input order to apply what needs that order: the counting rule, and the
// times of lines that depend on the lines before them.
type Parser struct {
	cfg     Config
	counter *counter
	emit    func(*record.Record) error
	// write, when set, takes each record encoded instead of emit; the
	// workers then encode most records beside each other (item.enc).
	write   func(obj []byte) error
	warn    func(error)
	stats   Stats
	workers []*worker
	// inline parses the blocks read too small to hand to a worker, and
	// reads a block again when the lines before it mattered.
	inline *worker
	// before is what the lines sequenced so far leave to the next ones.
	before lineOrder
	rec    record.Record
	buf    []byte // a record encoded, for write
	lineNo int    // lines of the current input sequenced so far
}

// NewParser returns a parser that hands each record to emit and each
// unusable line (with its position) to warn.
func NewParser(cfg Config, emit func(*record.Record) error, warn func(error)) *Parser {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Parser{cfg: cfg, counter: newCounter(), emit: emit, warn: warn}
	n := runtime.GOMAXPROCS(0)
	if n > maxWorkers {
		n = maxWorkers
	}
	for range n {
		p.workers = append(p.workers, newWorker(cfg))
	}
	p.inline = newWorker(cfg)
	return p
}

// NewJSONParser is NewParser for a caller that wants the records encoded:
// write gets each as one JSON object (no newline), the bytes valid only
// during the call. The encoding, the in-order step's biggest cost when it
// encodes, is then done by the workers for most records.
func NewJSONParser(cfg Config, write func(obj []byte) error, warn func(error)) *Parser {
	p := NewParser(cfg, nil, warn)
	p.write = write
	for _, w := range append(p.workers, p.inline) {
		w.encode = true
	}
	return p
}

// maxWorkers bounds the parsing goroutines: past a few, the in-order
// stage is the limit.
const maxWorkers = 4

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// Read parses all of r. name names it in messages; modTime is the file's
// modification time (zero for streams), the reference for year inference.
// flush is called before any read that may wait for input: output never
// sits in a buffer while the input is idle, and bulk runs still write in
// big batches.
func (p *Parser) Read(r io.Reader, name string, modTime time.Time, flush func() error) error {
	file := name
	if modTime.IsZero() {
		file = ""
	}
	p.lineNo = 0
	pl := &pipeline{p: p, r: r, name: name, file: file, modTime: modTime, flush: flush}
	return pl.run()
}

// sequence applies the counting rule to a block's parsed lines, in order.
func (p *Parser) sequence(j *job, name, file string) error {
	if j.guessed && !p.before.clock.IsZero() {
		// A worker read a time of the repeated autumn hour without the
		// lines before the block, which decide which reading it is: the
		// block is read again knowing them (an hour a year, at most).
		j.items, j.cands = j.items[:0], 0
		p.inline.block(j, name, file, &p.before)
	}
	first := p.lineNo // lines of this input before the block
	p.lineNo += j.lines
	p.stats.Lines += j.lines
	p.stats.Candidates += j.cands
	if j.tooLong {
		p.lineNo++
		p.stats.Lines++
		p.stats.Bad++
		p.warn(&record.SyntaxError{File: name, Line: p.lineNo, Msg: fmt.Sprintf("line longer than %d bytes skipped", record.MaxLine)})
	}
	for i := range j.items {
		it := &j.items[i]
		if it.warn != nil {
			// Workers number lines within their block.
			it.warn.Line += first
		}
		if it.inherit {
			// A line without a stamp before any stamp of its block takes
			// the last stamp of the lines before.
			it.t = p.before.time
			it.timeText = p.inline.timeText(p.before.time, p.before.frac)
		}
		if err := p.item(it, j.enc); err != nil {
			return err
		}
	}
	if !j.after.time.IsZero() {
		p.before.time, p.before.frac = j.after.time, j.after.frac
	}
	if !j.after.clock.IsZero() {
		p.before.clock = j.after.clock
	}
	return nil
}
