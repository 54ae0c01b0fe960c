package tailer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mailcop/mailcop/internal/cli"
)

// A log that cannot be read: a clear error and exit status 1, and the
// state keeps what it had. (As root, whom no permission stops, the
// process runs as nobody.)
func TestUnreadable(t *testing.T) {
	dir := reachableTempDir(t)
	log := filepath.Join(dir, "mail.log")
	other := filepath.Join(dir, "other.log")
	state := filepath.Join(dir, "tail.state")
	for _, f := range []string{log, other} {
		if err := os.WriteFile(f, []byte(logLine(1)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A first run remembers both logs.
	if _, stderr, err := runOnce(t, "-state", state, log, other); err != nil {
		t.Fatalf("first run: %v %s", err, stderr)
	}
	if os.Geteuid() == 0 {
		for _, f := range []string{state, state + ".lock"} {
			if err := os.Chown(f, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
	}
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(log, 0); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) { return runAsNobody(t, args...) }

	stdout, stderr, code := run(log)
	want := "mailcop-tail: open " + log + ": permission denied\n"
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "mailcop-tail: hint: ") {
		t.Errorf("unreadable log: exit %d, stdout %q, stderr %q; want exit 1 and %q with a hint", code, stdout, stderr, want)
	}

	// With -state the readable log goes on; the unreadable one keeps its
	// entry for the run that can read it.
	if err := os.WriteFile(other, []byte(logLine(1)+"\n"+logLine(2)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = run("-state", state, log, other)
	if code != 1 || !strings.HasPrefix(stderr, want) || strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, logLine(2)) {
		t.Errorf("-state with an unreadable log: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	st, err := loadState(state)
	if err != nil {
		t.Fatal(err)
	}
	old, err := loadStateBytes(before)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Files[log], old.Files[log]; len(got) != 1 || got[0] != want[0] {
		t.Errorf("entry of the unreadable log %+v, want it kept: %+v", got, want)
	}
	if st.Files[other][0].Offset != int64(len(logLine(1))+len(logLine(2))+2) {
		t.Errorf("entry of the readable log %+v, want it moved on", st.Files[other])
	}
}

// runAsNobody runs mailcop-tail as a process, as nobody when the tests
// run as root (whom no permission stops).
func runAsNobody(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := helper(t, "tail", args...)
	if os.Geteuid() == 0 {
		// nobody may not enter the directories of the test binary (a
		// private TMPDIR, root's build cache): it is run through its
		// descriptor, which needs no path to be walked.
		cmd.ExtraFiles = []*os.File{openExecutable(t)}
		cmd.Path = "/proc/self/fd/3"
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func openExecutable(t *testing.T) *os.File {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// reachableTempDir makes a directory every user can enter, owned by
// nobody when run as root: in TMPDIR when every directory above it lets
// others through, else in the first of /tmp, /var/tmp and /dev/shm that
// does (TMPDIR may be private).
func reachableTempDir(t *testing.T) string {
	for _, base := range []string{os.TempDir(), "/tmp", "/var/tmp", "/dev/shm"} {
		if !othersMayEnter(base) {
			continue
		}
		dir, err := os.MkdirTemp(base, "mailcop-tail-perm")
		if err != nil {
			continue
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			if err := os.Chown(dir, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	t.Fatal("no temporary directory that other users may enter: set TMPDIR to one")
	return ""
}

// othersMayEnter reports whether dir and every directory above it have
// the execute bit for others.
func othersMayEnter(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		up := filepath.Dir(dir)
		if up == dir {
			return true
		}
		dir = up
	}
}

func loadStateBytes(data []byte) (*stateFile, error) {
	f, err := os.CreateTemp("", "state")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	f.Write(data)
	f.Close()
	return loadState(f.Name())
}

// A corrupt (or empty) state file: a clear error, exit status 1, no
// output, and the file is left as it was.
func TestCorruptState(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	os.WriteFile(log, []byte(logLine(1)+"\n"), 0o644)
	for _, content := range []string{
		"", // not a first run: that would write all of each log again
		" \n",
		"{bad",
		`{"mailcop_tail_state": 2}`,
		`{"mailcop_tail_state": 1, "files": {"x": [{"offset": -1, "fp_sha256": "` + strings.Repeat("0", 64) + `"}]}}`,
		"Nov 26 06:25:01 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]\n", // -state given a log
	} {
		state := filepath.Join(dir, "tail.state")
		os.WriteFile(state, []byte(content), 0o644)
		recs, stderr, err := runOnce(t, "-state", state, log)
		var buf bytes.Buffer
		code := cli.Exit(cli.NewPrefixWriter(&buf, "mailcop-tail: "), err)
		if code != 1 || len(recs) != 0 || stderr != "" || !strings.Contains(buf.String(), "mailcop-tail: state "+state+" is corrupt: ") || !strings.Contains(buf.String(), "mailcop-tail: hint: ") {
			t.Errorf("state %q: exit %d, %d records, stderr %q%s", content, code, len(recs), stderr, buf.String())
		}
		if data, _ := os.ReadFile(state); string(data) != content {
			t.Errorf("state %q was overwritten: %q", content, data)
		}
	}
}

// Two runs on one state file at once: the second is refused.
func TestStateLocked(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	os.WriteFile(log, []byte(logLine(1)+"\n"), 0o644)
	state := filepath.Join(dir, "tail.state")
	unlock, err := lockState(state)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = runOnce(t, "-state", state, log)
	if err == nil || !strings.Contains(err.Error(), "in use by another mailcop-tail") {
		t.Errorf("second run: %v, want it refused", err)
	}
	unlock()
	if _, _, err := runOnce(t, "-state", state, log); err != nil {
		t.Errorf("after the lock is released: %v", err)
	}
}

// A rotated file the run cannot read (mode 0600, another owner): the log
// is read no further and keeps its position, so nothing is lost once the
// file is readable again.
func TestUnreadableRotated(t *testing.T) {
	dir := reachableTempDir(t)
	log := filepath.Join(dir, "mail.log")
	state := filepath.Join(dir, "tail.state")
	asNobody := func(name string) {
		if os.Geteuid() == 0 {
			if err := os.Chown(name, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeFile(t, log, numbered(1, 10))
	asNobody(log)
	if stdout, stderr, code := runAsNobody(t, "-state", state, log); code != 0 || strings.Count(stdout, "\n") != 10 {
		t.Fatalf("first run: exit %d, %d records, %s", code, strings.Count(stdout, "\n"), stderr)
	}
	appendFile(t, log, numbered(11, 60))
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		os.Chown(log+".1", 0, 0)
	}
	if err := os.Chmod(log+".1", 0); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, numbered(61, 70))
	asNobody(log)

	stdout, stderr, code := runAsNobody(t, "-state", state, log)
	if code != 1 || stdout != "" || !strings.Contains(stderr, log+".1: permission denied") {
		t.Errorf("rotated file unreadable: exit %d, stdout %q, stderr %q; want exit 1, nothing written", code, stdout, stderr)
	}
	if err := os.Chmod(log+".1", 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runAsNobody(t, "-state", state, log)
	if code != 0 {
		t.Fatalf("readable again: exit %d, %s", code, stderr)
	}
	checkExactlyOnce(t, readRecordsBytes(t, []byte(stdout)), 11, 70)
}
