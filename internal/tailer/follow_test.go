package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The follow scenarios: a writer process writes numbered lines while
// mailcop-tail -f reads them; every line must come out exactly once, in
// the order written, and whole.
func TestFollow(t *testing.T) {
	tests := []struct {
		name string
		n    int
		args []string // the writer's
		sub  string   // the log's path under the test directory
	}{
		// rsyslog-style rotation: rename, create, and the writer keeps
		// appending to the renamed file until it reopens.
		{"rename", 200000, []string{"-mode", "rename", "-every", "20000", "-keep", "500", "-pace", "200"}, "mail.log"},
		{"bursty", 20000, []string{"-mode", "bursty", "-burst", "500"}, "mail.log"},
		{"pieces", 20000, []string{"-mode", "pieces"}, "mail.log"},
		{"copytruncate", 30000, []string{"-mode", "copytruncate", "-every", "5000", "-pause", "300ms", "-pace", "100"}, "mail.log"},
		// Each file lives a quarter second or so: a file created and
		// deleted before any reader opens it is gone for all (README,
		// Reliability), and a loaded machine may take tens of ms to look.
		{"delete", 30000, []string{"-mode", "delete", "-every", "5000", "-keep", "200", "-pace", "20"}, "mail.log"},
		{"late-file", 2000, []string{"-delay", "300ms", "-pace", "100"}, "mail.log"},
		{"late-dir", 2000, []string{"-delay", "300ms", "-mkdir", "-pace", "100"}, "later/mail.log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "rename" {
				t.Parallel() // the others mostly wait
			}
			testFollow(t, hooks{}, tt.n, tt.sub, tt.args)
		})
	}
}

// Without inotify (NFS, no inotify instances left), polling alone keeps
// every line.
func TestFollowPolling(t *testing.T) {
	polling := hooks{pollOnly: pollFast}
	t.Run("rename", func(t *testing.T) {
		testFollow(t, polling, 60000, "mail.log", []string{"-mode", "rename", "-every", "20000", "-keep", "500", "-pace", "50"})
	})
	t.Run("copytruncate", func(t *testing.T) {
		testFollow(t, polling, 10000, "mail.log", []string{"-mode", "copytruncate", "-every", "5000", "-pause", "300ms", "-pace", "50"})
	})
}

// testFollow runs a writer process with args on a log at sub under a
// fresh directory, and mailcop-tail -f on it, started first with h.
func testFollow(t *testing.T, h hooks, n int, sub string, args []string) {
	path := filepath.Join(t.TempDir(), sub)
	c, stop := runTailFollowing(t, h, "-f", path)
	w := helper(t, "writer", append([]string{"-path", path, "-n", strconv.Itoa(n)}, args...)...)
	if out, err := w.CombinedOutput(); err != nil {
		t.Fatalf("writer: %v: %s", err, out)
	}
	last := logLine(n)
	c.waitFor(t, fmt.Sprintf("line %d", n), 60*time.Second, func(recs []tailRecord) bool {
		return len(recs) > 0 && recs[len(recs)-1].Line == last
	})
	// Old files are let go once quiet: anything they would still add (a
	// repeat) would come by then.
	time.Sleep(drainQuiet + 2*pollSlow)
	stderr, err := stop()
	if err != nil || stderr != "" {
		t.Errorf("mailcop-tail: %v, stderr %q", err, stderr)
	}
	checkExactlyOnce(t, c.records(), 1, n)
}

// runTailFollowing is runTail for -f, returning once the run reads the
// logs as they are written.
func runTailFollowing(t *testing.T, h hooks, args ...string) (c *collector, stop func() (string, error)) {
	t.Helper()
	following := make(chan struct{})
	h.following = func() { close(following) }
	c, stop = runTailHooked(t, h, args...)
	select {
	case <-following:
	case <-time.After(30 * time.Second):
		t.Fatal("mailcop-tail -f did not start following within 30s")
	}
	return c, stop
}

// Following: a log cut and written again past where it was read, between
// two looks, and a directory deleted and created again.
func TestFollowCutAndRecreated(t *testing.T) {
	slowPolling := hooks{pollOnly: time.Second} // a window to cut and regrow in
	dir := filepath.Join(t.TempDir(), "log")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "mail.log")
	l := newLogSim(t, path, "copytruncate")
	l.write(10)
	c, stop := runTailHooked(t, slowPolling, "-f", path)
	waitLine := func(i int) {
		t.Helper()
		want := logLine(i)
		c.waitFor(t, fmt.Sprintf("line %d", i), 30*time.Second, func(recs []tailRecord) bool {
			return len(recs) > 0 && recs[len(recs)-1].Line == want
		})
	}
	waitLine(10)
	l.write(5)
	l.rotate(0)
	l.write(45)
	waitLine(60)

	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("%v %s", err, stderr)
	}
	checkExactlyOnce(t, c.records(), 1, 60)
	c, stop = runTailFollowing(t, hooks{}, "-f", "-n", "0", path)
	l.f.Close()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	os.Mkdir(dir, 0o755)
	l.f = nil
	l.reopen()
	l.write(20)
	waitLine(80)
	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("%v %s", err, stderr)
	}
	checkExactlyOnce(t, c.records(), 61, 80)
}

// Two rename-and-create rotations between two looks (a busy machine, or
// no inotify): the file created by the first and renamed away by the
// second is read too, in its place.
func TestFollowTwoRotations(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	writeFile(t, path, numbered(1, 10))
	c, stop := runTailHooked(t, hooks{pollOnly: time.Second}, "-f", path) // a window for both rotations
	c.waitFor(t, "line 10", 30*time.Second, func(recs []tailRecord) bool {
		return len(recs) > 0 && recs[len(recs)-1].Line == logLine(10)
	})
	rotate := func() {
		for i := 2; i >= 1; i-- {
			if _, err := os.Stat(path + "." + strconv.Itoa(i)); err == nil {
				if err := os.Rename(path+"."+strconv.Itoa(i), path+"."+strconv.Itoa(i+1)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
	}
	appendFile(t, path, numbered(11, 20))
	rotate()
	writeFile(t, path, numbered(21, 30))
	rotate()
	writeFile(t, path, numbered(31, 40))
	c.waitFor(t, "line 40", 30*time.Second, func(recs []tailRecord) bool {
		return len(recs) > 0 && recs[len(recs)-1].Line == logLine(40)
	})
	time.Sleep(drainQuiet + 2*pollSlow) // a repeat would come by then
	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("%v %s", err, stderr)
	}
	checkExactlyOnce(t, c.records(), 1, 40)
}
