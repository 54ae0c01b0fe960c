package tailer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
			time.Sleep(300 * time.Millisecond) // let it reach the open
			cmd.Process.Signal(sig)
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("%v, %s: still running 10 s after the signal", sig, strings.Join(args, " "))
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
}
