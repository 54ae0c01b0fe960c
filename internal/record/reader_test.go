package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns at most n bytes per Read, so that lines straddle the
// bufio buffer at odd places.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// readLines reads all of in with a LineReader, as "N: line" and
// "error: msg" entries.
func readLines(t *testing.T, in io.Reader) []string {
	t.Helper()
	lr := NewLineReader(in, "<stdin>")
	var got []string
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		var se *SyntaxError
		switch {
		case errors.As(err, &se):
			got = append(got, "error: "+se.Error())
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			got = append(got, fmt.Sprintf("%d: %q", lr.LineNo(), shorten(line)))
		}
	}
}

// shorten stands a long run of x for its length, to keep messages short.
func shorten(line []byte) string {
	if i := bytes.IndexByte(line, 'x'); i >= 0 && len(line) > 100 {
		j := i
		for j < len(line) && line[j] == 'x' {
			j++
		}
		return fmt.Sprintf("%sx*%d%s", line[:i], j-i, line[j:])
	}
	return string(line)
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a\nb\n", []string{`1: "a"`, `2: "b"`}},
		{"a\nb", []string{`1: "a"`, `2: "b"`}},
		{"a\r\nb\r\n", []string{`1: "a"`, `2: "b"`}},
		{"a\r\nb\r", []string{`1: "a"`, `2: "b"`}},
		{"a\rb\n", []string{`1: "a\rb"`}},
		{"\n\n\r\n", []string{`1: ""`, `2: ""`, `3: ""`}},
		{"a\x00b\n\xff\xfe\x1b[31m\n\x00", []string{`1: "a\x00b"`, `2: "\xff\xfe\x1b[31m"`, `3: "\x00"`}},
	}
	for _, tt := range tests {
		t.Run(testName(tt.in), func(t *testing.T) {
			t.Parallel()
			for _, in := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				got := readLines(t, in)
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("got  %q\nwant %q", got, tt.want)
				}
			}
		})
	}
}

func TestLineReaderLongLines(t *testing.T) {
	x := strings.Repeat("x", MaxLine)
	in := x + "\n" + // exactly MaxLine: kept
		x + "y\n" + // one byte more: skipped
		"short\n" + // and the next line still read, with its number
		x + "\r\n" + // the CR of CRLF does not count
		x + "y\r\n" +
		x + x + x + "\n" +
		"{}\n" +
		x + "y" // at the end, without newline
	want := []string{
		fmt.Sprintf(`1: "x*%d"`, MaxLine),
		"error: <stdin>:2: line longer than 1048576 bytes skipped",
		`3: "short"`,
		fmt.Sprintf(`4: "x*%d"`, MaxLine),
		"error: <stdin>:5: line longer than 1048576 bytes skipped",
		"error: <stdin>:6: line longer than 1048576 bytes skipped",
		`7: "{}"`,
		"error: <stdin>:8: line longer than 1048576 bytes skipped",
	}
	for _, r := range []io.Reader{strings.NewReader(in), &chunkReader{strings.NewReader(in), 7919}} {
		got := readLines(t, r)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
	// A last line of exactly MaxLine without newline is a line.
	got := readLines(t, strings.NewReader("a\n"+x))
	if want := fmt.Sprintf(`2: "x*%d"`, MaxLine); len(got) != 2 || got[1] != want {
		t.Errorf("got %q, want %s last", got, want)
	}
}

func TestLineReaderMemory(t *testing.T) {
	// A huge line is counted through, not kept.
	lr := NewLineReader(io.MultiReader(strings.NewReader(strings.Repeat("x", 8*MaxLine)), strings.NewReader("\nok\n")), "in")
	if _, err := lr.Next(); err == nil {
		t.Fatal("no error for a long line")
	}
	if c := cap(lr.long); c > 2*MaxLine {
		t.Errorf("kept %d bytes for a skipped line", c)
	}
	if line, err := lr.Next(); err != nil || string(line) != "ok" || lr.LineNo() != 2 {
		t.Errorf("after a long line: %q, %v, line %d", line, err, lr.LineNo())
	}
}

func TestReader(t *testing.T) {
	in := `{"user":"a"}` + "\n" +
		"\n" +
		" \t\r\n" +
		`{"user":"b"` + "\n" +
		"\x00\x01binary\xff\n" +
		`{"attempts":"3"}` + "\r\n" +
		strings.Repeat("x", MaxLine+1) + "\n" +
		`{"user":"c"}` + "\r\n" +
		"\u00a0\n" +
		`[{"user":"e"}]` + "\n" +
		`{"user":"d"}`
	r := NewReader(&chunkReader{strings.NewReader(in), 1000}, "in.ndjson")
	var warnings []string
	r.Warn = func(se *SyntaxError) { warnings = append(warnings, se.Error()) }
	var got []string
	for r.Scan() {
		got = append(got, fmt.Sprintf("%d:%s", r.LineNo(), r.Record().User))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	if want := "1:a 8:c 11:d"; strings.Join(got, " ") != want {
		t.Errorf("records: got %s, want %s", strings.Join(got, " "), want)
	}
	wantWarnings := []string{
		"in.ndjson:4: invalid record: unexpected end of JSON input",
		`in.ndjson:5: invalid record: invalid character '\x00' at offset 0`,
		`in.ndjson:6: invalid record: "attempts": want an integer`,
		"in.ndjson:7: line longer than 1048576 bytes skipped",
		`in.ndjson:9: invalid record: invalid character '\xc2' at offset 0`,
		"in.ndjson:10: invalid record: not a JSON object",
	}
	if strings.Join(warnings, "\n") != strings.Join(wantWarnings, "\n") {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(wantWarnings, "\n"))
	}
	if r.Bad() != len(wantWarnings) {
		t.Errorf("Bad() = %d, want %d", r.Bad(), len(wantWarnings))
	}
	if r.Scan() {
		t.Error("Scan after the end returned true")
	}
}

func TestReaderLongRecords(t *testing.T) {
	pad := strings.Repeat("x", MaxLine-len(`{"line":""}`))
	in := `{"line":"` + pad + `"}` + "\n" + // exactly MaxLine
		`{"line":"` + pad + `y"}` + "\n" + // one byte over
		`{"user":"a"}` + "\n"
	r := NewReader(strings.NewReader(in), "<stdin>")
	var warnings []string
	r.Warn = func(se *SyntaxError) { warnings = append(warnings, se.Error()) }
	var got []string
	for r.Scan() {
		got = append(got, fmt.Sprintf("%d:%d:%s", r.LineNo(), len(r.Record().Line), r.Record().User))
	}
	if want := fmt.Sprintf("1:%d: 3:0:a", len(pad)); strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
	if want := "<stdin>:2: line longer than 1048576 bytes skipped"; strings.Join(warnings, "\n") != want || r.Bad() != 1 {
		t.Errorf("warnings %q (bad %d), want %q", warnings, r.Bad(), want)
	}
}

func TestReaderWithoutWarn(t *testing.T) {
	r := NewReader(strings.NewReader("junk\n{}\njunk\n"), "in")
	n := 0
	for r.Scan() {
		n++
	}
	if n != 1 || r.Bad() != 2 || r.Err() != nil {
		t.Errorf("%d records, %d bad, err %v; want 1, 2, nil", n, r.Bad(), r.Err())
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("{\"user\":\"a\"}\n{\"us"), iotest.ErrReader(boom)), "<stdin>")
	n := 0
	for r.Scan() {
		n++
	}
	if n != 1 {
		t.Errorf("read %d records before the error, want 1", n)
	}
	if err := r.Err(); !errors.Is(err, boom) || err.Error() != "read <stdin>: boom" {
		t.Errorf("Err() = %v, want read <stdin>: boom", err)
	}
}

// TestReaderFlushBeforeBlock shows a stage in a live pipeline: what it
// wrote leaves it as soon as its input runs dry, while the writer upstream
// is still waiting for more.
func TestReaderFlushBeforeBlock(t *testing.T) {
	pr, pw := io.Pipe()
	var out bytes.Buffer
	w := NewWriter(&out)
	flushed := make(chan string, 10)
	r := NewReader(pr, "<stdin>")
	r.FlushBeforeBlock(func() error {
		err := w.Flush()
		flushed <- out.String()
		return err
	})
	done := make(chan error)
	go func() {
		for r.Scan() {
			if err := w.Write(r.Record()); err != nil {
				done <- err
				return
			}
		}
		done <- r.Err()
	}()

	if got := <-flushed; got != "" { // before the first read
		t.Errorf("first flush: %q", got)
	}
	if _, err := io.WriteString(pw, `{"user":"a"}`+"\n"+`{"user":"b"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	// The writer side now waits: both records must be out already.
	if got, want := <-flushed, `{"user":"a"}`+"\n"+`{"user":"b"}`+"\n"; got != want {
		t.Errorf("flushed while waiting for input: %q, want %q", got, want)
	}
	// Half a line is not a line. (No second flush while it waits for the
	// rest: nothing was written since the last one.)
	io.WriteString(pw, `{"user"`)
	io.WriteString(pw, `:"c"}`+"\n")
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := `{"user":"a"}` + "\n" + `{"user":"b"}` + "\n" + `{"user":"c"}` + "\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// countingReader counts the reads that reach the input.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// TestReaderFlushBulk shows a batch run: with complete lines buffered there
// is no flush, only one per read of the input (64 KiB), not per record.
func TestReaderFlushBulk(t *testing.T) {
	const n = 20000
	var in bytes.Buffer
	for i := range n {
		fmt.Fprintf(&in, `{"user":"user%d","ip":"203.0.113.7"}`+"\n", i)
	}
	src := &countingReader{r: &in}
	r := NewReader(src, "<stdin>")
	flushes := 0
	r.FlushBeforeBlock(func() error { flushes++; return nil })
	records := 0
	for r.Scan() {
		records++
	}
	if records != n || r.Err() != nil {
		t.Fatalf("read %d records (err %v), want %d", records, r.Err(), n)
	}
	if flushes > src.reads+1 || flushes > n/100 {
		t.Errorf("%d flushes for %d records and %d reads", flushes, n, src.reads)
	}
}

func TestReaderFlushError(t *testing.T) {
	full := errors.New("no space left on device")
	r := NewReader(strings.NewReader("{}\n{}\n"), "in")
	r.FlushBeforeBlock(func() error { return full })
	if r.Scan() {
		t.Error("Scan went on after the flush failed")
	}
	if !errors.Is(r.Err(), full) {
		t.Errorf("Err() = %v, want %v", r.Err(), full)
	}
}

type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, line := range records[:3] {
		var r Record
		if err := r.Unmarshal([]byte(line)); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 0 {
		t.Error("Writer did not buffer")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(records[:3], "\n") + "\n"; out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	w = NewWriter(failingWriter{})
	w.Write(&Record{User: "a"})
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush() = %v, want disk full", err)
	}
}

// BenchmarkWriter writes records as a stage does, one after another.
func BenchmarkWriter(b *testing.B) {
	var recs []Record
	for _, line := range records {
		var r Record
		if err := r.Unmarshal([]byte(line)); err == nil {
			recs = append(recs, *r.Clone())
		}
	}
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.Write(&recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
}
