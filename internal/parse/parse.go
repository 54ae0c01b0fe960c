// Package parse is mailcop-parse: it recognises the auth events in
// postfix and dovecot logs and counts each real attempt once.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
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
// Reading runs as a small pipeline: one goroutine reads blocks, workers
// find and parse the candidate lines of whole blocks (stateless work, the
// bulk of it), and the caller's goroutine takes their results in input
// order and applies the counting rule, which needs that order.
type Parser struct {
	cfg     Config
	counter *counter
	emit    func(*record.Record) error
	warn    func(error)
	stats   Stats
	workers []*worker
	rec     record.Record
	lineNo  int // lines of the current input sequenced so far
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
	return p
}

// maxWorkers bounds the parsing goroutines: past a few, the in-order
// stage is the limit.
const maxWorkers = 4

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// blockSize is how much is read at a time; it also bounds a line.
const blockSize = record.MaxLine

// job is one block of whole lines on its way through the pipeline.
type job struct {
	buf     []byte // owns the block's memory, back to the pool when done
	data    []byte // whole lines
	ref     time.Time
	tooLong bool // data is empty: a line over MaxLine was skipped here
	items   []item
	lines   int
	cands   int
	done    chan struct{}
}

// Read parses all of r. name names it in messages; modTime is the file's
// modification time (zero for streams), the reference for year inference.
// flush is called whenever no parsed line is waiting, i.e. before the
// parser may wait for input: output never sits in a buffer while the
// input is idle, and bulk runs still write in big batches.
func (p *Parser) Read(r io.Reader, name string, modTime time.Time, flush func() error) error {
	file := name
	if modTime.IsZero() {
		file = ""
	}
	p.lineNo = 0
	inflight := 2 * len(p.workers)
	// Jobs are reused, buffers and parsed lines with them: a block's worth
	// of items is too big to allocate per block.
	free := make(chan *job, inflight+1)
	for range inflight + 1 {
		free <- &job{buf: make([]byte, blockSize)}
	}
	work := make(chan *job, inflight)
	order := make(chan *job, inflight)
	quit := make(chan struct{})
	readErr := make(chan error, 1)

	var wg sync.WaitGroup
	for _, w := range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				w.block(j, name, file)
				close(j.done)
			}
		}()
	}
	go func() {
		readErr <- p.readBlocks(r, modTime, free, work, order, quit)
		close(work)
		close(order)
	}()

	var err error
	for {
		var j *job
		select {
		case j = <-order:
		default:
			if err = callFlush(flush); err != nil {
				break
			}
			j = <-order
		}
		if err != nil || j == nil {
			break
		}
		select {
		case <-j.done:
		default:
			if err = callFlush(flush); err != nil {
				break
			}
			<-j.done
		}
		if err == nil {
			err = p.sequence(j, name)
		}
		free <- j
		if err != nil {
			break
		}
	}
	if err != nil {
		// Output failed: stop reading. The reader may be blocked on its
		// input; it is left to end with the process.
		close(quit)
		return err
	}
	wg.Wait()
	if rerr := <-readErr; rerr != nil {
		return fmt.Errorf("read %s: %w", name, rerr)
	}
	return nil
}

func callFlush(flush func() error) error {
	if flush == nil {
		return nil
	}
	return flush()
}

// readBlocks cuts r into blocks of whole lines and hands them on, in
// order, to the workers and to the sequencer. A line longer than a block
// is skipped and reported in its place.
func (p *Parser) readBlocks(r io.Reader, modTime time.Time, free, work, order chan *job, quit chan struct{}) error {
	var carry []byte // the start of a line that did not end in the last block
	skipping := false
	send := func(j *job) bool {
		j.done = make(chan struct{})
		select {
		case order <- j:
		case <-quit:
			return false
		}
		work <- j
		return true
	}
	for {
		var j *job
		select {
		case j = <-free:
		case <-quit:
			return nil
		}
		buf := j.buf
		fill := copy(buf, carry)
		n, err := r.Read(buf[fill:])
		fill += n
		ref := modTime
		if ref.IsZero() {
			ref = p.cfg.Now()
		}
		data := buf[:fill]
		if skipping {
			if first := bytes.IndexByte(data, '\n'); first < 0 {
				data = data[:0]
			} else {
				// The rest of the long line ends at its first newline.
				data = data[first+1:]
				skipping = false
			}
		}
		end := bytes.LastIndexByte(data, '\n') + 1
		if err != nil && len(data) > 0 && !skipping {
			end = len(data) // a last line without its newline is still a line
		}
		*j = job{buf: buf, data: data[:end], ref: ref, items: j.items[:0]}
		carry = append(carry[:0], data[end:]...)
		if end == 0 && len(carry) == blockSize {
			j.tooLong = true
			carry = carry[:0]
			skipping = true
		}
		if !send(j) {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// sequence applies the counting rule to a block's parsed lines, in order.
func (p *Parser) sequence(j *job, name string) error {
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
		if err := p.item(it); err != nil {
			return err
		}
	}
	return nil
}
