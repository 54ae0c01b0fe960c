package tailer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

// logSim plays the program that logs (appending through its descriptor,
// reopening when told) and logrotate, with one of its schemes.
type logSim struct {
	t       *testing.T
	path    string
	scheme  string
	f       *os.File
	next    int    // number of the next line
	rest    string // the end of a line written in part
	day     int    // for dated names
	rotates int
}

func newLogSim(t *testing.T, path, scheme string) *logSim {
	l := &logSim{t: t, path: path, scheme: scheme, next: 1, day: 1}
	l.reopen()
	return l
}

func (l *logSim) reopen() {
	if l.f != nil {
		l.f.Close()
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	l.f = f
}

func (l *logSim) writeString(s string) {
	if _, err := l.f.WriteString(s); err != nil {
		l.t.Fatal(err)
	}
}

// write appends n lines, finishing a line written in part first.
func (l *logSim) write(n int) {
	if l.rest != "" {
		l.writeString(l.rest)
		l.rest = ""
	}
	var b strings.Builder
	for range n {
		b.WriteString(logLine(l.next) + "\n")
		l.next++
	}
	l.writeString(b.String())
}

// partial writes the first half of the next line.
func (l *logSim) partial() {
	if l.rest != "" {
		return
	}
	line := logLine(l.next) + "\n"
	l.next++
	l.writeString(line[:len(line)/2])
	l.rest = line[len(line)/2:]
}

func (l *logSim) gzip(from, to string) {
	data, err := os.ReadFile(from)
	if err != nil {
		l.t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(to, buf.Bytes(), 0o644); err != nil {
		l.t.Fatal(err)
	}
	os.Remove(from)
}

// rotate does what logrotate does with the scheme; the writer appends
// keep more lines to the renamed file before it is told to reopen.
func (l *logSim) rotate(keep int) {
	l.rotates++
	p := l.path
	const count = 4
	switch l.scheme {
	case "delaycompress":
		os.Remove(fmt.Sprintf("%s.%d.gz", p, count))
		for k := count - 1; k >= 2; k-- {
			os.Rename(fmt.Sprintf("%s.%d.gz", p, k), fmt.Sprintf("%s.%d.gz", p, k+1))
		}
		if _, err := os.Stat(p + ".1"); err == nil {
			l.gzip(p+".1", p+".2.gz")
		}
		os.Rename(p, p+".1")
		l.create()
		l.write(keep)
		l.reopen()
	case "compress":
		os.Remove(fmt.Sprintf("%s.%d.gz", p, count))
		for k := count - 1; k >= 1; k-- {
			os.Rename(fmt.Sprintf("%s.%d.gz", p, k), fmt.Sprintf("%s.%d.gz", p, k+1))
		}
		os.Rename(p, p+".1")
		l.create()
		l.write(keep)
		l.reopen()
		l.gzip(p+".1", p+".1.gz")
	case "dated":
		name := fmt.Sprintf("%s-202611%02d", p, l.day)
		l.day++
		os.Rename(p, name)
		l.create()
		l.write(keep)
		l.reopen()
		l.gzip(name, name+".gz")
	case "copytruncate":
		os.Remove(fmt.Sprintf("%s.%d.gz", p, count))
		for k := count - 1; k >= 2; k-- {
			os.Rename(fmt.Sprintf("%s.%d.gz", p, k), fmt.Sprintf("%s.%d.gz", p, k+1))
		}
		if _, err := os.Stat(p + ".1"); err == nil {
			l.gzip(p+".1", p+".2.gz")
		}
		data, err := os.ReadFile(p)
		if err != nil {
			l.t.Fatal(err)
		}
		if err := os.WriteFile(p+".1", data, 0o644); err != nil {
			l.t.Fatal(err)
		}
		if err := os.Truncate(p, 0); err != nil {
			l.t.Fatal(err)
		}
	default:
		l.t.Fatalf("no scheme %q", l.scheme)
	}
}

func (l *logSim) create() {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	f.Close()
}

// runOnce runs mailcop-tail in this process and returns its records.
func runOnce(t *testing.T, args ...string) ([]tailRecord, string, error) {
	t.Helper()
	var out, errBuf bytes.Buffer
	err := Run(context.Background(), args, strings.NewReader(""), &out, cli.NewPrefixWriter(&errBuf, "mailcop-tail: "))
	var recs []tailRecord
	dec := json.NewDecoder(&out)
	for {
		var r tailRecord
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("output: %v", err)
		}
		recs = append(recs, r)
	}
	return recs, errBuf.String(), err
}

// Cron: runs with -state between which the log is written and rotated
// (no, one or two rotations, the writer still appending to the renamed
// file, half lines at the end): all runs together write every line once.
func TestStateCron(t *testing.T) {
	for _, scheme := range []string{"delaycompress", "compress", "dated", "copytruncate"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "mail.log")
			state := filepath.Join(dir, "tail.state")
			l := newLogSim(t, path, scheme)
			rng := rand.New(rand.NewPCG(1, uint64(len(scheme))))
			var all []tailRecord
			for run := 0; run < 10; run++ {
				l.write(50 + rng.IntN(300))
				rotations := []int{0, 1, 1, 2}[rng.IntN(4)]
				if run == 0 {
					rotations = 0
				}
				for range rotations {
					keep := 0
					if scheme != "copytruncate" {
						keep = rng.IntN(20)
					}
					l.rotate(keep)
					l.write(rng.IntN(200))
				}
				if rng.IntN(3) == 0 {
					l.partial()
				}
				recs, stderr, err := runOnce(t, "-state", state, path)
				if err != nil || stderr != "" {
					t.Fatalf("run %d: %v, stderr %q", run, err, stderr)
				}
				all = append(all, recs...)
			}
			l.write(1)
			recs, stderr, err := runOnce(t, "-state", state, path)
			if err != nil || stderr != "" {
				t.Fatalf("last run: %v, stderr %q", err, stderr)
			}
			all = append(all, recs...)
			if l.rotates < 5 {
				t.Errorf("only %d rotations", l.rotates)
			}
			checkExactlyOnce(t, all, 1, l.next-1)
			fi, err := os.Stat(state)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

// Following with -state, stopped (SIGINT, SIGTERM) and started again
// after the log was rotated and compressed: every line once. -a on the
// first run reads the history; later runs only what is new.
func TestStateFollow(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	state := filepath.Join(dir, "tail.state")
	l := newLogSim(t, path, "compress")
	l.write(100)
	l.rotate(5)
	l.write(100)
	var all []tailRecord
	for round := 0; round < 3; round++ {
		c, stop := runTail(t, "-f", "-a", "-state", state, path)
		l.write(50)
		l.partial()
		want := logLine(l.next - 2)
		c.waitFor(t, "the lines written", 30*time.Second, func(recs []tailRecord) bool {
			return len(recs) > 0 && recs[len(recs)-1].Line == want
		})
		if stderr, err := stop(); err != nil || stderr != "" {
			t.Fatalf("round %d: %v %s", round, err, stderr)
		}
		all = append(all, c.records()...)
		l.write(10)
		l.rotate(3)
		l.write(20)
	}
	recs, stderr, err := runOnce(t, "-state", state, path)
	if err != nil || stderr != "" {
		t.Fatal(err, stderr)
	}
	checkExactlyOnce(t, append(all, recs...), 1, l.next-1)
}

// The splitter writes the same lines however the stream is cut.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), uint8(1))
	f.Add([]byte("\n\n\xff\x00\r\n"), uint8(2))
	f.Add([]byte(strings.Repeat("x", 300)+"\ny"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		var want []string
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				want = append(want, l)
			}
		}
		var out bytes.Buffer
		e := newEmitter(&out)
		sp := &splitter{name: "f"}
		step := int(cut%16) + 1
		for i := 0; i < len(data); i += step {
			if err := sp.feed(e, data[i:min(i+step, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		sp.finish(e)
		e.flush()
		if sp.off != int64(len(data)) {
			t.Errorf("offset %d, want %d", sp.off, len(data))
		}
		wantLines := int64(bytes.Count(data, []byte("\n")))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			wantLines++
		}
		if sp.lineNo != wantLines {
			t.Errorf("line number %d, want %d", sp.lineNo, wantLines)
		}
		got := readRecordsBytes(t, out.Bytes())
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d", len(got), len(want))
		}
		for i, r := range got {
			line := r.Line
			if r.LineB64 != "" {
				b, _ := base64.StdEncoding.DecodeString(r.LineB64)
				line = string(b)
			}
			if line != want[i] {
				t.Errorf("line %d: %q, want %q", i, line, want[i])
			}
		}
	})
}

func readRecordsBytes(t *testing.T, data []byte) []tailRecord {
	var recs []tailRecord
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r tailRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

// A truncated log that grew back past where the last run stopped is
// seen by its first bytes, not read on from the old offset: the lines
// before the truncation come from the copy, the new ones from the start.
func TestTruncatedRegrown(t *testing.T) {
	for _, withCopy := range []bool{true, false} {
		dir := t.TempDir()
		path := filepath.Join(dir, "mail.log")
		state := filepath.Join(dir, "tail.state")
		l := newLogSim(t, path, "copytruncate")
		l.write(10)
		recs, _, err := runOnce(t, "-state", state, path)
		if err != nil {
			t.Fatal(err)
		}
		l.write(5)
		if withCopy {
			l.rotate(0)
		} else if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		l.write(45)
		more, stderr, err := runOnce(t, "-state", state, path)
		if err != nil || withCopy != (stderr == "") || !withCopy && !strings.Contains(stderr, "warning: "+path+": lost track of ") {
			t.Fatal(err, stderr)
		}
		if withCopy {
			checkExactlyOnce(t, append(recs, more...), 1, 60)
		} else {
			// Lines 11-15 went with the truncation; nothing comes twice
			// and nothing comes cut.
			checkExactlyOnce(t, append(recs, more...)[10:], 16, 60)
		}
	}
}
