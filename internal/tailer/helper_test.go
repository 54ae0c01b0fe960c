package tailer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

// The test binary doubles as the processes the tests need: a log writer
// (MAILCOP_TAIL_HELPER=writer) and mailcop-tail itself
// (MAILCOP_TAIL_HELPER=tail), run as real processes.
func TestMain(m *testing.M) {
	switch os.Getenv("MAILCOP_TAIL_HELPER") {
	case "writer":
		os.Exit(writerMain(os.Args[1:]))
	case "tail":
		if d, err := time.ParseDuration(os.Getenv("MAILCOP_TAIL_SAVE_EVERY")); err == nil {
			saveEvery = d
		}
		os.Exit(cli.Main("mailcop-tail", Run))
	}
	followProcs = 0 // followers in this process share it with other tests
	os.Exit(m.Run())
}

// helper returns a command running the test binary as a helper.
func helper(t testing.TB, role string, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "MAILCOP_TAIL_HELPER="+role)
	return cmd
}

// logLine is line i as the writer writes it: its number first, then a
// payload whose length varies with i, so that a line cut in two or glued
// to another is seen.
func logLine(i int) string {
	return fmt.Sprintf("%08d Nov 26 06:25:01 mx1 dovecot: imap-login: %s", i, strings.Repeat("xyz", i%37))
}

// writerMain writes numbered lines to a log the way the scenarios say,
// playing both the program that logs and logrotate.
func writerMain(args []string) int {
	fs := flag.NewFlagSet("writer", flag.ContinueOnError)
	var (
		path   = fs.String("path", "", "the log")
		first  = fs.Int("first", 1, "number of the first line")
		n      = fs.Int("n", 1000, "lines to write")
		mode   = fs.String("mode", "plain", "plain, rename, copytruncate, delete, pieces, bursty")
		every  = fs.Int("every", 0, "rotate every this many lines")
		keep   = fs.Int("keep", 0, "lines still written to the old file after a rename or delete")
		pause  = fs.Duration("pause", 0, "copytruncate: pause before and after the copy")
		pace   = fs.Int("pace", 0, "sleep 1ms after this many lines (0: never)")
		burst  = fs.Int("burst", 100, "bursty: lines per burst")
		delay  = fs.Duration("delay", 0, "wait this long before the first line")
		mkdirs = fs.Bool("mkdir", false, "create the log's directory")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 1
	}
	time.Sleep(*delay)
	if *mkdirs {
		if err := os.MkdirAll(filepath.Dir(*path), 0o755); err != nil {
			return fail(err)
		}
	}
	open := func() (*os.File, error) {
		return os.OpenFile(*path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	}
	f, err := open()
	if err != nil {
		return fail(err)
	}
	rot := 0
	pending := -1 // lines left to write to the old file before reopening
	for k := 0; k < *n; k++ {
		i := *first + k
		line := logLine(i) + "\n"
		if *mode == "pieces" {
			cut := len(line) / 2
			if _, err := f.WriteString(line[:cut]); err != nil {
				return fail(err)
			}
			if k%50 == 0 {
				time.Sleep(200 * time.Microsecond)
			}
			line = line[cut:]
		}
		if _, err := f.WriteString(line); err != nil {
			return fail(err)
		}
		if *every > 0 && (k+1)%*every == 0 && k+1 < *n {
			rot++
			switch *mode {
			case "rename":
				// logrotate: shift the old files, rename, create; the
				// writer goes on with the renamed file until told.
				shift(*path, rot)
				if err := os.Rename(*path, *path+".1"); err != nil {
					return fail(err)
				}
				g, err := open()
				if err != nil {
					return fail(err)
				}
				g.Close()
				pending = *keep
			case "delete":
				if err := os.Remove(*path); err != nil {
					return fail(err)
				}
				pending = *keep
			case "copytruncate":
				time.Sleep(*pause)
				shift(*path, rot)
				data, err := os.ReadFile(*path)
				if err != nil {
					return fail(err)
				}
				if err := os.WriteFile(*path+".1", data, 0o644); err != nil {
					return fail(err)
				}
				if err := os.Truncate(*path, 0); err != nil {
					return fail(err)
				}
				time.Sleep(*pause)
			}
		}
		if pending == 0 {
			f.Close()
			if f, err = open(); err != nil {
				return fail(err)
			}
			pending = -1
		} else if pending > 0 {
			pending--
		}
		if *pace > 0 && (k+1)%*pace == 0 {
			time.Sleep(time.Millisecond)
		}
		if *mode == "bursty" && (k+1)%*burst == 0 {
			time.Sleep(time.Duration(k%7) * 3 * time.Millisecond)
		}
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return 0
}

// shift renames path.N to path.N+1, from the highest N down.
func shift(path string, max int) {
	for k := max; k >= 1; k-- {
		os.Rename(fmt.Sprintf("%s.%d", path, k), fmt.Sprintf("%s.%d", path, k+1))
	}
}

// tailRecord is a record as the tests read it back.
type tailRecord struct {
	File    string `json:"file"`
	Line    string `json:"line"`
	LineB64 string `json:"line_b64"`
}

// collector reads mailcop-tail's output from a pipe as it comes.
type collector struct {
	mu   sync.Mutex
	recs []tailRecord
	bad  []string
	done chan struct{}
	cond chan struct{} // closed and replaced on each record
}

func collect(r io.Reader) *collector {
	c := &collector{done: make(chan struct{}), cond: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var rec tailRecord
			c.mu.Lock()
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				c.bad = append(c.bad, sc.Text())
			} else {
				c.recs = append(c.recs, rec)
			}
			close(c.cond)
			c.cond = make(chan struct{})
			c.mu.Unlock()
		}
	}()
	return c
}

// waitFor waits until pred holds for the records so far, or the guard
// timeout passes (a failure: the scenario got stuck).
func (c *collector) waitFor(t testing.TB, what string, timeout time.Duration, pred func([]tailRecord) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		ok := pred(c.recs)
		cond, n := c.cond, len(c.recs)
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-cond:
		case <-c.done:
			c.mu.Lock()
			ok := pred(c.recs)
			c.mu.Unlock()
			if !ok {
				t.Fatalf("output ended before %s (%d records)", what, n)
			}
			return
		case <-deadline:
			t.Fatalf("no %s after %v (%d records so far)", what, timeout, n)
		}
	}
}

func (c *collector) records() []tailRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]tailRecord(nil), c.recs...)
}

// lineNumber returns the number a writer's line starts with, checking
// that the line is whole.
func lineNumber(line string) (int, error) {
	if len(line) < 8 {
		return 0, fmt.Errorf("short line %q", line)
	}
	i, err := strconv.Atoi(line[:8])
	if err != nil {
		return 0, fmt.Errorf("line %q: %v", line, err)
	}
	if line != logLine(i) {
		return 0, fmt.Errorf("line %d is cut or glued: %q", i, line)
	}
	return i, nil
}

// checkExactlyOnce checks that records hold lines first..last, each once,
// in the order they were written.
func checkExactlyOnce(t testing.TB, recs []tailRecord, first, last int) {
	t.Helper()
	seen := map[int]int{}
	prev := first - 1
	disorder := 0
	for _, r := range recs {
		i, err := lineNumber(r.Line)
		if err != nil {
			t.Errorf("%s: %v", r.File, err)
			continue
		}
		seen[i]++
		if i != prev+1 && disorder < 5 {
			disorder++
			t.Errorf("line %d (%s) follows line %d", i, r.File, prev)
		}
		prev = i
	}
	var lost, twice []int
	for i := first; i <= last; i++ {
		switch seen[i] {
		case 0:
			lost = append(lost, i)
		case 1:
		default:
			twice = append(twice, i)
		}
		delete(seen, i)
	}
	if len(lost) > 0 {
		t.Errorf("%d lines lost, first %v", len(lost), lost[:min(len(lost), 10)])
	}
	if len(twice) > 0 {
		t.Errorf("%d lines repeated, first %v", len(twice), twice[:min(len(twice), 10)])
	}
	if len(seen) > 0 {
		t.Errorf("%d lines never written", len(seen))
	}
}

// runTail runs Run in this process with its output on a pipe, until
// stop is called; stop returns Run's error and stderr.
func runTail(t testing.TB, args ...string) (c *collector, stop func() (string, error)) {
	t.Helper()
	return runTailHooked(t, hooks{}, args...)
}

// runTailHooked is runTail with hooks into the run.
func runTailHooked(t testing.TB, h hooks, args ...string) (c *collector, stop func() (string, error)) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(withHooks(context.Background(), h))
	var stderr bytes.Buffer
	errc := make(chan error, 1)
	go func() {
		err := Run(ctx, args, strings.NewReader(""), pw, cli.NewPrefixWriter(&stderr, "mailcop-tail: "))
		pw.Close()
		errc <- err
	}()
	c = collect(pr)
	var once sync.Once
	var runErr error
	stop = func() (string, error) {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(30 * time.Second):
				t.Fatal("mailcop-tail did not stop within 30s of its cancellation")
			}
			<-c.done
			pr.Close()
		})
		return stderr.String(), runErr
	}
	t.Cleanup(func() { stop() })
	return c, stop
}
