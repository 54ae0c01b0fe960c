package tailer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// readRecords reads a file of records; a last line cut by a kill is
// left out.
func readRecords(t *testing.T, name string) []tailRecord {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var recs []tailRecord
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 || line[len(line)-1] != '\n' {
			continue
		}
		var r tailRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("%s: %v: %q", name, err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

// waitUntil polls cond every 20 ms until it holds, failing after the
// guard timeout.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill -9 while following with -state, then a restart: nothing is lost,
// and what comes twice is only what was written out after the last save.
func TestKill9(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	state := filepath.Join(dir, "tail.state")
	const n = 24000
	writer := helper(t, "writer", "-path", path, "-n", "24000", "-pace", "6") // about 4 s
	var werr bytes.Buffer
	writer.Stderr = &werr
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	defer writer.Process.Kill()

	start := func(out string) *exec.Cmd {
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := helper(t, "tail", "-f", "-state", state, path)
		cmd.Stdout = f
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if stderr.Len() > 0 {
				t.Errorf("mailcop-tail (%s): %s", out, stderr.String())
			}
		})
		return cmd
	}
	out1, out2 := filepath.Join(dir, "out1"), filepath.Join(dir, "out2")
	tail1 := start(out1)
	waitUntil(t, "saved state", 30*time.Second, func() bool {
		st, err := loadState(state)
		return err == nil && len(st.Files) > 0
	})
	time.Sleep(700 * time.Millisecond) // land between two saves
	tail1.Process.Signal(syscall.SIGKILL)
	tail1.Wait()
	saved, err := loadState(state)
	if err != nil {
		t.Fatal(err)
	}

	tail2 := start(out2)
	if err := writer.Wait(); err != nil {
		t.Fatalf("writer: %v: %s", err, werr.String())
	}
	last := []byte(`"line":"` + logLine(n) + `"`) // no character to escape
	waitUntil(t, "last line", 30*time.Second, func() bool {
		data, _ := os.ReadFile(out2)
		return bytes.Contains(data, last)
	})
	tail2.Process.Signal(syscall.SIGTERM)
	if err := tail2.Wait(); err != nil {
		t.Errorf("mailcop-tail after SIGTERM: %v, want exit status 0", err)
	}

	r1, r2 := readRecords(t, out1), readRecords(t, out2)
	if len(r1) == 0 || len(r2) == 0 {
		t.Fatalf("%d records before the kill, %d after", len(r1), len(r2))
	}
	// The restart begins at the line the state points at.
	es := saved.Files[mustAbs(t, path)]
	if len(es) != 1 {
		t.Fatalf("state entries %+v", es)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rest := data[es[0].Offset:]
	wantFirst, err := lineNumber(string(rest[:bytes.IndexByte(rest, '\n')]))
	if err != nil {
		t.Fatal(err)
	}
	first, err := lineNumber(r2[0].Line)
	if err != nil {
		t.Fatal(err)
	}
	if first != wantFirst {
		t.Errorf("restart began at line %d, the state points at line %d", first, wantFirst)
	}
	// Repeated: only lines from there on; together, every line once.
	var merged []tailRecord
	for _, r := range r1 {
		if i, err := lineNumber(r.Line); err == nil && i < first {
			merged = append(merged, r)
		}
	}
	repeats := len(r1) - len(merged)
	merged = append(merged, r2...)
	checkExactlyOnce(t, merged, 1, n)
	t.Logf("kill -9 after %d lines, state at line %d: %d lines repeated", len(r1), first, repeats)
}

func mustAbs(t *testing.T, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// kill -9 during a one-shot -state run reading a long history: the state
// was saved on the way, so the next run writes again only what came
// after the last save, not everything, and loses nothing.
func TestKill9OneShot(t *testing.T) {
	for _, tenths := range []int{3, 7} { // in the compressed file, in the live one
		t.Run(strconv.Itoa(tenths), func(t *testing.T) { testKill9OneShot(t, tenths) })
	}
}

func testKill9OneShot(t *testing.T, tenths int) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	state := filepath.Join(dir, "tail.state")
	const n = 100000
	writeFile(t, log+".1.gz", gz(t, numbered(1, n/2)))
	writeFile(t, log, numbered(n/2+1, n))

	cmd := helper(t, "tail", "-a", "-state", state, log)
	cmd.Env = append(cmd.Env, "MAILCOP_TAIL_SAVE_EVERY=20ms")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read slowly, so that the run lasts; kill it on the way.
	var got bytes.Buffer
	br := bufio.NewReader(out)
	for i := 0; i < n*tenths/10; i++ {
		line, err := br.ReadBytes('\n')
		got.Write(line)
		if err != nil {
			t.Fatalf("after %d records: %v", i, err)
		}
		if i%500 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	rest, _ := io.ReadAll(br)
	got.Write(rest)
	cmd.Wait()
	first := readRecordsBytesCut(t, got.Bytes())

	second, stderr, err := runOnce(t, "-a", "-state", state, log)
	if err != nil {
		t.Fatalf("rerun: %v %s", err, stderr)
	}
	seen := map[int]int{}
	for _, r := range append(first, second...) {
		i, err := lineNumber(r.Line)
		if err != nil {
			t.Fatal(err)
		}
		seen[i]++
	}
	lost, twice := 0, 0
	for i := 1; i <= n; i++ {
		switch {
		case seen[i] == 0:
			lost++
		case seen[i] > 1:
			twice++
		}
	}
	t.Logf("killed after %d records; the rerun wrote %d, %d of them again", len(first), len(second), twice)
	if lost > 0 {
		t.Errorf("%d lines lost", lost)
	}
	if twice > n/20 {
		t.Errorf("%d lines written twice: the rerun began far behind where the killed run was", twice)
	}
}

// readRecordsBytesCut decodes records; a last line without its newline (cut by
// a kill) is left out.
func readRecordsBytesCut(t *testing.T, data []byte) []tailRecord {
	t.Helper()
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		data = data[:i+1]
	}
	return readRecordsBytes(t, data)
}
