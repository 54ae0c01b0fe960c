package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
)

// blockSize is how much is read at a time; it also bounds a line.
const blockSize = record.MaxLine

// inlineMax is the size under which a block is parsed by the pipeline's
// own goroutine: a few lines from a follower cost less to parse than the
// two goroutine wake-ups (each often a thread's) of a worker's round trip.
const inlineMax = 64 << 10

// job is one block of whole lines on its way through the pipeline.
type job struct {
	buf     []byte // owns the block's memory, reused from job to job
	data    []byte // whole lines
	ref     time.Time
	tooLong bool // data is empty: a line over MaxLine was skipped here
	items   []item
	enc     []byte // records its items encoded (item.enc)
	lines   int
	cands   int
	// guessed: a wall time of the repeated autumn hour was read before
	// any stamp of the block (see clock.startBlock).
	guessed bool
	after   lineOrder // what the block leaves to the lines after it
	// ticket hands the job back from its worker: whoever holds the
	// ticket of a job out with a worker waits on it and never touches
	// the job itself until it comes back.
	ticket chan *job
}

// lineOrder is what the lines read so far tell the lines after them:
// the last stamp, for a line without one, and the clock's last instant,
// to read the repeated autumn hour in order. Zero fields: nothing yet.
type lineOrder struct {
	time  time.Time
	frac  int
	clock time.Time
}

// pipeline is one Parser.Read: the caller's goroutine reads the input in
// blocks of whole lines and sequences them (Parser.sequence: what needs
// input order); workers parse the big blocks side by side meanwhile.
//
// A job has one owner at a time, and only its owner touches it: the
// pipeline's goroutine while it fills or sequences it or keeps it in
// free, a worker from work until it sends the job on its ticket. The
// pipeline keeps the tickets of the jobs out with workers, oldest first,
// and takes each job back from its ticket only.
//
// Before a read that may wait for input, every block read so far is
// sequenced and the output flushed (SPEC 2: a record leaves within
// 100 ms of its line). A follower's few lines at a time are parsed right
// there, without a worker: no goroutine but the caller's wakes per line.
type pipeline struct {
	p       *Parser
	r       io.Reader
	name    string // the input, for messages
	file    string // the input, for records: "" for a stream
	modTime time.Time
	flush   func() error

	work chan *job
	wg   sync.WaitGroup
	out  []chan *job // tickets of the jobs out with workers, oldest first
	free []*job
	max  int // jobs out with workers at most

	carry    []byte // the start of a line that did not end in the last block
	skipping bool   // the rest of a too long line is being skipped
	partial  bool   // the last read filled less than it could
}

// run reads the whole input. On an error it stops, but returns only once
// every worker has given its job back and ended: no worker writes into a
// job, or uses the Parser's workers, after Read returned.
func (pl *pipeline) run() error {
	pl.max = 2 * len(pl.p.workers)
	pl.work = make(chan *job, pl.max)
	for _, w := range pl.p.workers {
		pl.wg.Add(1)
		go func() {
			defer pl.wg.Done()
			for j := range pl.work {
				w.block(j, pl.name, pl.file, nil)
				j.ticket <- j
			}
		}()
	}
	err := pl.loop()
	for _, t := range pl.out {
		<-t // its records are not wanted after an error
	}
	pl.out = nil
	close(pl.work)
	pl.wg.Wait()
	return err
}

func (pl *pipeline) loop() error {
	for {
		if pl.mayWait() {
			if err := pl.drain(); err != nil {
				return err
			}
			if pl.flush != nil {
				if err := pl.flush(); err != nil {
					return err
				}
			}
		}
		j := pl.get()
		rerr := pl.fill(j)
		if err := pl.dispatch(j); err != nil {
			return err
		}
		if rerr != nil {
			if err := pl.drain(); err != nil {
				return err
			}
			if errors.Is(rerr, io.EOF) {
				return nil
			}
			return fmt.Errorf("read %s: %w", pl.name, rerr)
		}
	}
}

// mayWait tells whether the next read may wait for input. A read that
// came back short says so, when nothing is out with workers (a follower's
// case, spared a system call per line); otherwise the kernel says, where
// it knows, so that a bulk run from a pipe keeps its workers busy.
func (pl *pipeline) mayWait() bool {
	if pl.partial && len(pl.out) == 0 {
		return true
	}
	if n, ok := cli.Pending(pl.r); ok {
		return n == 0
	}
	return pl.partial
}

// get returns a free job, made if none is: at most max+1 exist.
func (pl *pipeline) get() *job {
	if n := len(pl.free); n > 0 {
		j := pl.free[n-1]
		pl.free = pl.free[:n-1]
		return j
	}
	return &job{buf: make([]byte, blockSize), ticket: make(chan *job, 1)}
}

// fill reads the next block into j, cut after its last whole line. A
// line longer than a block is skipped and reported in its place.
func (pl *pipeline) fill(j *job) error {
	buf := j.buf
	n := copy(buf, pl.carry)
	m, err := pl.r.Read(buf[n:])
	n += m
	pl.partial = err == nil && n < len(buf)
	ref := pl.modTime
	if ref.IsZero() {
		ref = pl.p.cfg.Now()
	}
	data := buf[:n]
	if pl.skipping {
		if first := bytes.IndexByte(data, '\n'); first < 0 {
			data = data[:0]
		} else {
			// The rest of the long line ends at its first newline.
			data = data[first+1:]
			pl.skipping = false
		}
	}
	end := bytes.LastIndexByte(data, '\n') + 1
	if err != nil && len(data) > 0 && !pl.skipping {
		end = len(data) // a last line without its newline is still a line
	}
	*j = job{buf: buf, ticket: j.ticket, data: data[:end], ref: ref, items: j.items[:0], enc: j.enc[:0]}
	pl.carry = append(pl.carry[:0], data[end:]...)
	if end == 0 && len(pl.carry) == blockSize {
		j.tooLong = true
		pl.carry = pl.carry[:0]
		pl.skipping = true
	}
	return err
}

// dispatch sends j to a worker, or parses and sequences it here when it
// is small, after the blocks before it.
func (pl *pipeline) dispatch(j *job) error {
	if len(j.data) == 0 && !j.tooLong {
		pl.free = append(pl.free, j)
		return nil
	}
	if len(j.data) < inlineMax {
		if err := pl.drain(); err != nil {
			pl.free = append(pl.free, j)
			return err
		}
		pl.p.inline.block(j, pl.name, pl.file, &pl.p.before)
		return pl.sequence(j)
	}
	if len(pl.out) == pl.max {
		if err := pl.next(); err != nil {
			pl.free = append(pl.free, j)
			return err
		}
	}
	pl.out = append(pl.out, j.ticket)
	pl.work <- j
	return nil
}

// next takes back the oldest job out with a worker and sequences it.
func (pl *pipeline) next() error {
	t := pl.out[0]
	pl.out = pl.out[:copy(pl.out, pl.out[1:])]
	return pl.sequence(<-t)
}

// drain sequences every job out with workers, in order.
func (pl *pipeline) drain() error {
	for len(pl.out) > 0 {
		if err := pl.next(); err != nil {
			return err
		}
	}
	return nil
}

func (pl *pipeline) sequence(j *job) error {
	err := pl.p.sequence(j, pl.name, pl.file)
	pl.free = append(pl.free, j)
	return err
}
