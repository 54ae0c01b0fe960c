package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// orderLog is a log whose records depend on the order of its lines: Paris
// wall times through the night the clocks go back (2026-10-25, 03:00 CEST
// becomes 02:00 CET, so 02:00-02:59 comes twice), and every seventh line a
// dovecot line without a stamp, which takes the last stamp before it. cuts
// are the offsets of the stamp-less lines, where a block may begin.
func orderLog() (log []byte, cuts []int) {
	var b bytes.Buffer
	start := time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC) // 01:30 CEST
	paris, _ := time.LoadLocation("Europe/Paris")
	for i := range 6000 {
		t := start.Add(time.Duration(i) * 1800 * time.Millisecond).In(paris)
		stamp := t.Format(time.Stamp)
		ip := fmt.Sprintf("198.51.100.%d", i%200+1)
		switch {
		case i%7 == 3:
			cuts = append(cuts, b.Len())
			fmt.Fprintf(&b, "dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<nostamp%d>, method=PLAIN, rip=%s, lip=192.0.2.5, TLS, session=<S%015d>\n", i, ip, i)
		case i%3 == 0:
			fmt.Fprintf(&b, "%s mx1 postfix/qmgr[812]: 4Xy%05d: removed\n", stamp, i)
		default:
			fmt.Fprintf(&b, "%s mx1 dovecot: pop3-login: Disconnected (auth failed, 1 attempts in 3 secs): user=<u%d>, method=PLAIN, rip=%s, lip=192.0.2.5, TLS, session=<T%015d>\n", stamp, i, ip, i)
		}
	}
	return b.Bytes(), cuts
}

// chunkReader returns its data in reads of the given sizes, as a pipe
// does when its writer is slower or faster than its reader.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = min(n, c.sizes[0])
		c.sizes = c.sizes[1:]
	}
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readAll parses r and returns its records encoded: by the in-order step
// from records (NewParser), or, encoded, partly by the workers
// (NewJSONParser).
func readAll(t *testing.T, r io.Reader, encoded bool) string {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	cfg := Config{Year: 2026, Location: paris, Now: func() time.Time { return time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC) }}
	var out []byte
	p := NewParser(cfg, func(r *record.Record) error {
		out = append(r.AppendJSON(out), '\n')
		return nil
	}, func(err error) { t.Error(err) })
	if encoded {
		p = NewJSONParser(cfg, func(obj []byte) error {
			out = append(append(out, obj...), '\n')
			return nil
		}, func(err error) { t.Error(err) })
	}
	if err := p.Read(r, "<stdin>", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The same input gives the same records, whatever the reads' sizes (where
// blocks begin) and however many workers parse the blocks side by side:
// no record's time depends on which worker read which block before.
func TestReadSameRecordsAnyBlocks(t *testing.T) {
	log, cuts := orderLog()
	want := readAll(t, bytes.NewReader(log), false)

	// The reference itself reads the night as it was: no line without a
	// time, and the repeated hour read twice, first in summer time.
	if n := strings.Count(want, `"time":"`); n != strings.Count(want, "\n") {
		t.Fatalf("%d of %d records have a time", n, strings.Count(want, "\n"))
	}
	summer := regexp.MustCompile(`"time":"2026-10-25T02:3[0-9:]*\+02:00"`)
	winter := regexp.MustCompile(`"time":"2026-10-25T02:3[0-9:]*\+01:00"`)
	if !summer.MatchString(want) || !winter.MatchString(want) {
		t.Fatal("the repeated hour is not read twice, in summer time then in winter time")
	}

	// Reads ending just before stamp-less lines, every 70 KiB or so: big
	// blocks, for the workers, that start with a line without a stamp.
	var atCuts []int
	last := 0
	for _, c := range cuts {
		if c-last >= 70<<10 {
			atCuts = append(atCuts, c-last)
			last = c
		}
	}
	chunkings := map[string][]int{"at stamp-less lines": atCuts}
	for seed := range uint64(3) {
		// Sizes from a byte to 300 KiB: small blocks parsed in place and
		// big ones by workers, in one run.
		rng := rand.New(rand.NewPCG(seed, 7))
		var sizes []int
		for total := 0; total < len(log); {
			n := 1 + rng.IntN(300<<10)
			if rng.IntN(2) == 0 {
				n = 1 + rng.IntN(2000)
			}
			sizes = append(sizes, n)
			total += n
		}
		chunkings[fmt.Sprintf("random sizes, seed %d", seed)] = sizes
	}

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4, 8} {
		runtime.GOMAXPROCS(procs)
		for name, sizes := range chunkings {
			for _, encoded := range []bool{false, true} {
				got := readAll(t, &chunkReader{data: log, sizes: sizes}, encoded)
				if got != want {
					t.Errorf("GOMAXPROCS=%d, reads %s, encoded by workers %v: records differ from one read of the whole log:\n%s", procs, name, encoded, firstDiff(got, want))
				}
			}
		}
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("record %d:\n got %s\nwant %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d records, want %d", len(g)-1, len(w)-1)
}

// An output error stops Read: it returns the error only once its workers
// are done with every block (under -race, as make test runs it, the race
// detector sees a worker still writing into a block that was reused, or
// into the parser's state), leaves no goroutine waiting, and the parser
// reads the next input as if nothing happened.
func TestReadOutputError(t *testing.T) {
	log, _ := orderLog()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	full := errors.New("no space left on device")
	for _, failAt := range []string{"emit", "write", "flush", "first flush"} {
		t.Run(failAt, func(t *testing.T) {
			before := runtime.NumGoroutine()
			emitted, broken := 0, true
			out := func() error {
				emitted++
				if broken && (failAt == "emit" || failAt == "write") && emitted == 100 {
					return full
				}
				return nil
			}
			p := NewParser(testConfig(), func(*record.Record) error { return out() }, func(error) {})
			if failAt == "write" {
				// The encoding parser: its workers write into the blocks' encodings too.
				p = NewJSONParser(testConfig(), func([]byte) error { return out() }, func(error) {})
			}
			flush := func() error {
				if broken && (failAt == "flush" && emitted > 0 || failAt == "first flush") {
					return full
				}
				return nil
			}
			// Big reads keep workers busy with blocks ahead; short ones
			// make the pipeline flush.
			sizes := []int{100 << 10, 100 << 10, 5000, 200 << 10, 100 << 10, 100 << 10, 100 << 10}
			err := p.Read(&chunkReader{data: log, sizes: sizes}, "<stdin>", time.Time{}, flush)
			if !errors.Is(err, full) {
				t.Fatalf("Read: %v, want the output's error", err)
			}
			// A worker past its last wg.Done may take a moment to be gone.
			for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines after Read returned, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
			}
			// The next input's sessions are new ones: the counter rightly
			// takes a session it has already counted as the same attempts.
			next := bytes.ReplaceAll(bytes.ReplaceAll(log, []byte("session=<S"), []byte("session=<s")), []byte("session=<T"), []byte("session=<t"))
			broken, emitted = false, 0
			if err := p.Read(&chunkReader{data: next, sizes: sizes}, "<stdin>", time.Time{}, flush); err != nil {
				t.Fatalf("the next Read: %v", err)
			}
			if want := strings.Count(readAll(t, bytes.NewReader(next), false), "\n"); emitted != want {
				t.Errorf("the next Read emitted %d records, want %d", emitted, want)
			}
		})
	}
}
