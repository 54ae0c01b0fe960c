package tailer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

// A tail blocked opening a named pipe no one writes to ends on SIGTERM
// and SIGINT, with -state (refused: a pipe has no position) and without
// (it waits for a writer, as cat does, until told to stop).
func TestFIFOSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, withState := range []bool{true, false} {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "q")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{fifo}
			if withState {
				args = []string{"-state", filepath.Join(dir, "s"), fifo}
			}
			cmd := helper(t, "tail", args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			if !blockedInFIFOOpen(cmd.Process.Pid, done, &err) {
				cmd.Process.Signal(sig)
				select {
				case err = <-done:
				case <-time.After(10 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("%v, %s: still running 10 s after the signal", sig, strings.Join(args, " "))
				}
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if withState {
				if code != 1 || !strings.Contains(stderr.String(), "not a regular file") {
					t.Errorf("%v, -state on a pipe: exit %d, stderr %q; want exit 1, refused", sig, code, &stderr)
				}
			} else if code != 0 || stdout.Len() != 0 {
				t.Errorf("%v, a pipe without writer: exit %d (%v), stdout %q, stderr %q; want exit 0", sig, code, err, &stdout, &stderr)
			}
		}
	}
}

// blockedInFIFOOpen waits until process pid sleeps in the open of a named
// pipe without writer (its signal handlers are in place by then), or has
// exited (exited true, its Wait's error in *err). Where /proc does not
// tell, it waits 300 ms.
func blockedInFIFOOpen(pid int, done <-chan error, err *error) (exited bool) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case *err = <-done:
			return true
		default:
		}
		tasks, globErr := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		if globErr != nil || len(tasks) == 0 {
			time.Sleep(300 * time.Millisecond)
			return false
		}
		for _, t := range tasks {
			if b, _ := os.ReadFile(t); string(b) == "wait_for_partner" {
				return false
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// A state file in a directory another user may write to: a symlink
// planted at its lock is not followed, nor one at the state itself, and
// a world-writable directory without the sticky bit is refused (anyone
// could replace the state there).
func TestStateFileSafety(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	writeFile(t, log, logLine(1)+"\n")

	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(shared, "tail.state")
	victim := filepath.Join(dir, "nologin")
	if err := os.Symlink(victim, state+".lock"); err != nil {
		t.Fatal(err)
	}
	recs, _, err := runOnce(t, "-state", state, log)
	if err == nil || len(recs) != 0 {
		t.Errorf("lock planted as a symlink: %d records, error %v; want refused", len(recs), err)
	}
	if _, err := os.Lstat(victim); err == nil {
		t.Errorf("the symlink's target %s was created", victim)
	}
	os.Remove(state + ".lock")

	if err := os.Symlink(victim, state); err != nil {
		t.Fatal(err)
	}
	writeFile(t, victim, `{"mailcop_tail_state": 1, "files": {}}`)
	if _, _, err := runOnce(t, "-state", state, log); err == nil {
		t.Errorf("state planted as a symlink: no error; want refused")
	}
	os.Remove(state)

	// A pipe planted at the state does not hang the run.
	if err := syscall.Mkfifo(state, 0o600); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { _, _, err := runOnce(t, "-state", state, log); errc <- err }()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("state planted as a pipe: %v; want refused", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("state planted as a pipe: run still blocked after 10 s")
	}
	os.Remove(state)

	// The sticky bit keeps others from replacing our files: accepted.
	recs, stderr, err := runOnce(t, "-state", state, log)
	if err != nil || len(recs) != 1 {
		t.Errorf("state in a sticky shared directory: %d records, error %v %s", len(recs), err, stderr)
	}

	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(state)
	recs, _, err = runOnce(t, "-state", state, log)
	if err == nil || !strings.Contains(err.Error(), "writable by every user") || len(recs) != 0 {
		t.Errorf("state in a world-writable directory: %d records, error %v; want refused", len(recs), err)
	}
	if after, _ := os.ReadFile(state); !bytes.Equal(before, after) {
		t.Errorf("state in a world-writable directory was written")
	}
}

// A log named twice, once through a symbolic link (or a hard link), is
// read once.
func TestSameFileOnce(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	writeFile(t, log, logLine(1)+"\n"+logLine(2)+"\n")
	if err := os.Symlink("mail.log", filepath.Join(dir, "link.log")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(log, filepath.Join(dir, "hard.log")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{log, filepath.Join(dir, "link.log")},
		{"-state", filepath.Join(dir, "s"), log, filepath.Join(dir, "link.log"), filepath.Join(dir, "hard.log")},
	} {
		recs, stderr, err := runOnce(t, args...)
		if err != nil || len(recs) != 2 {
			t.Errorf("%s: %d records, error %v, stderr %q; want 2", strings.Join(args, " "), len(recs), err, stderr)
		}
		if !strings.Contains(stderr, "warning: "+filepath.Join(dir, "link.log")+" is the file "+log+": read once") {
			t.Errorf("%s: stderr %q; want the second name warned about", strings.Join(args, " "), stderr)
		}
	}

	// With -a, a rotated file named as well is read once, as one of them.
	writeFile(t, log+".1", logLine(0)+"\n")
	recs, stderr, err := runOnce(t, "-a", log, log+".1")
	if err != nil || lines(recs) != "mail.log.1 "+logLine(0)+"\nmail.log "+logLine(1)+"\nmail.log "+logLine(2)+"\n" {
		t.Errorf("-a with a rotated file named: records\n%s error %v, stderr %q", lines(recs), err, stderr)
	}
	if !strings.Contains(stderr, "warning: "+log+".1 is a rotated file of "+log+", read with -a: read once") {
		t.Errorf("-a with a rotated file named: stderr %q", stderr)
	}
}

// Lines longer than 1 MiB are skipped and named by file and line; what is
// kept of such a line stays bounded however long it grows.
func TestLongLines(t *testing.T) {
	var out bytes.Buffer
	var warnings []string
	e := newEmitter(&out)
	e.warnf = func(f string, a ...any) { warnings = append(warnings, fmt.Sprintf(f, a...)) }
	sp := &splitter{name: "mail.log"}
	if err := sp.feed(e, []byte(logLine(1)+"\n")); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, chunkSize) // NUL bytes, no newline
	for range 64 {                   // 16 MiB
		if err := sp.feed(e, chunk); err != nil {
			t.Fatal(err)
		}
		if c := cap(sp.pend); c > maxLine+chunkSize {
			t.Fatalf("a line without end keeps %d bytes", c)
		}
	}
	if err := sp.feed(e, []byte("\n"+logLine(3)+"\n"+strings.Repeat("x", maxLine+1)+"\n"+logLine(5)+"\n")); err != nil {
		t.Fatal(err)
	}
	e.flush()
	recs := readRecordsBytes(t, out.Bytes())
	if got := lines(recs); got != "mail.log "+logLine(1)+"\nmail.log "+logLine(3)+"\nmail.log "+logLine(5)+"\n" {
		t.Errorf("records\n%s", got)
	}
	want := []string{
		fmt.Sprintf("mail.log:2: line of %d bytes, longer than %d: skipped", 64*chunkSize, maxLine),
		fmt.Sprintf("mail.log:4: line of %d bytes, longer than %d: skipped", maxLine+1, maxLine),
	}
	if !slices.Equal(warnings, want) {
		t.Errorf("warnings %q, want %q", warnings, want)
	}
	if want := int64(len(logLine(1)) + 1 + 64*chunkSize + 1 + len(logLine(3)) + 1 + maxLine + 2 + len(logLine(5)) + 1); sp.off != want || sp.lineNo != 5 {
		t.Errorf("offset %d, line %d; want %d, 5", sp.off, sp.lineNo, want)
	}

	// A whole run, resumed with -state: the line numbers go on from the
	// state, in plain and compressed files alike; the run exits 0.
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	state := filepath.Join(dir, "s")
	writeFile(t, log, logLine(1)+"\n"+logLine(2)+"\n")
	if _, _, err := runOnce(t, "-state", state, log); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("y", maxLine+10)
	appendFile(t, log, long+"\n"+logLine(4)+"\n")
	recs, stderr, err := runOnce(t, "-state", state, log)
	if err != nil || len(recs) != 1 || recs[0].Line != logLine(4) || stderr != fmt.Sprintf("mailcop-tail: warning: %s:3: line of %d bytes, longer than %d: skipped\n", log, maxLine+10, maxLine) {
		t.Errorf("resumed: %d records, error %v, stderr %q", len(recs), err, stderr)
	}
	appendFile(t, log, long+"\n"+logLine(6)+"\n")
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, log+".1.gz", gz(t, string(data)))
	os.Remove(log)
	writeFile(t, log, logLine(7)+"\n")
	recs, stderr, err = runOnce(t, "-state", state, log)
	if err != nil || lines(recs) != "mail.log.1.gz "+logLine(6)+"\nmail.log "+logLine(7)+"\n" || !strings.Contains(stderr, log+".1.gz:5: line of") {
		t.Errorf("rotated and compressed: records\n%s error %v, stderr %q", lines(recs), err, stderr)
	}
}

func appendFile(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// numbered returns lines first..last as the log holds them.
func numbered(first, last int) string {
	var b strings.Builder
	for i := first; i <= last; i++ {
		b.WriteString(logLine(i) + "\n")
	}
	return b.String()
}

// A -state run that meets a rotated file it cannot read (truncated or
// damaged compression) keeps that log's position: nothing of the damaged
// file is written out, nor of the files after it; once the file is
// mended, the next run writes every line once.
func TestStateDamagedRotated(t *testing.T) {
	for _, damage := range []string{"truncated", "corrupted"} {
		t.Run(damage, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "mail.log")
			state := filepath.Join(dir, "s")
			writeFile(t, log, numbered(1, 50))
			recs, _, err := runOnce(t, "-state", state, log)
			if err != nil || len(recs) != 50 {
				t.Fatalf("first run: %d records, %v", len(recs), err)
			}
			appendFile(t, log, numbered(51, 400))
			whole := gz(t, numbered(1, 400))
			broken := []byte(whole)
			if damage == "truncated" {
				broken = broken[:len(broken)*2/3]
			} else {
				for i := len(broken) / 2; i < len(broken)/2+3; i++ {
					broken[i] ^= 0x55
				}
			}
			writeFile(t, log+".1.gz", string(broken))
			writeFile(t, log, numbered(401, 450))

			recs, stderr, err := runOnce(t, "-state", state, log)
			if err != cli.ErrReported || !strings.Contains(stderr, log+".1.gz") {
				t.Errorf("damaged: error %v, stderr %q; want it named, exit 1", err, stderr)
			}
			if len(recs) != 0 {
				t.Errorf("damaged: %d records written, from %s to %s; want none", len(recs), recs[0].Line[:8], recs[len(recs)-1].Line[:8])
			}

			writeFile(t, log+".1.gz", whole)
			recs, stderr, err = runOnce(t, "-state", state, log)
			if err != nil {
				t.Fatalf("mended: %v %s", err, stderr)
			}
			checkExactlyOnce(t, recs, 51, 450)
		})
	}
}

// writeLog keeps each Write made to it.
type writeLog struct{ writes [][]byte }

func (w *writeLog) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

// Every write of the output holds whole records, so that a run killed
// (kill -9) between two writes leaves no half record behind it: the next
// stage reads whole records, and the next run begins at the state's
// position.
func TestWholeRecordWrites(t *testing.T) {
	var w writeLog
	e := newEmitter(&w)
	sp := &splitter{name: "mail.log"}
	var in strings.Builder
	for i := range 3000 {
		in.WriteString(logLine(i) + "\n")
		if i%1000 == 999 {
			in.WriteString(strings.Repeat("long ", 30000) + "\n") // 150 kB: more than the buffer
		}
	}
	data := []byte(in.String())
	for len(data) > 0 {
		n := min(len(data), 7919)
		if err := sp.feed(e, data[:n]); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
	}
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	var all []byte
	for i, b := range w.writes {
		if len(b) == 0 || b[0] != '{' || b[len(b)-1] != '\n' {
			t.Fatalf("write %d of %d cuts a record: %.40q...%.40q", i, len(w.writes), b, b[max(0, len(b)-40):])
		}
		all = append(all, b...)
	}
	if recs := readRecordsBytes(t, all); len(recs) != 3003 {
		t.Errorf("%d records, want 3003", len(recs))
	}
	if len(w.writes) > 3003/20 {
		t.Errorf("%d writes for 3003 records: not buffered", len(w.writes))
	}
}
