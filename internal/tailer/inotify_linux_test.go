package tailer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// The notifier tells of a file created, written and moved away in a
// watched directory, and of the directory going; the end of the run ends
// a wait at once.
func TestInotifyChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := newNotifier(ctx, false)
	if err != nil {
		t.Skipf("no inotify here: %v", err)
	}
	defer n.close()
	dir := filepath.Join(t.TempDir(), "log")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := n.add(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(path, []byte("Nov 26 06:25:01 mx1 postfix/smtpd[4242]: connect from unknown[203.0.113.5]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	var got []change
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 5 && time.Now().Before(deadline) {
		cs, err := n.wait(ctx, deadline)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cs...)
	}
	want := []change{
		{name: path, created: true},        // created
		{name: path},                       // written
		{name: path, gone: true},           // moved away
		{name: path + ".1", created: true}, // moved here
		{name: path + ".1", gone: true},    // deleted by RemoveAll
		{name: dir, gone: true},            // the directory
	}
	for _, w := range want {
		found := false
		for _, c := range got {
			found = found || c == w
		}
		if !found {
			t.Errorf("no %+v among %+v", w, got)
		}
	}

	// Nothing queued: a zero deadline returns at once.
	if cs, err := n.wait(ctx, time.Time{}); err != nil || len(cs) != 0 {
		t.Errorf("wait(zero) = %+v, %v; want nothing", cs, err)
	}
	// A wait of an hour ends with the run.
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	if cs, err := n.wait(ctx, start.Add(time.Hour)); err != nil || len(cs) != 0 {
		t.Errorf("wait after cancel = %+v, %v; want nothing", cs, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("wait ended %v after its run", d)
	}
}

// An idle follower looks at its log once a second with inotify, and the
// other logs written in its directory (syslog, auth.log) do not wake it:
// each look wakes the process's threads, the CPU an idle watcher costs.
func TestFollowIdleLooks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var passes atomic.Int32
	_, stop := runTailFollowing(t, hooks{pass: func() { passes.Add(1) }}, "-f", path)
	other, err := os.Create(filepath.Join(dir, "syslog"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	before := passes.Load()
	// 2 s of another log written 100 times a second.
	for i := range 200 {
		fmt.Fprintf(other, "Nov 26 06:25:01 mx1 CRON[%d]: (root) CMD (true)\n", i)
		time.Sleep(10 * time.Millisecond)
	}
	looks := passes.Load() - before
	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("mailcop-tail: %v, stderr %q", err, stderr)
	}
	// Two a second at most, the safety net's one and a spare: 250 ms
	// apart, or woken by the other log, it would be 8 or 200.
	if looks > 4 {
		t.Errorf("%d passes over an idle log in 2s of another log's writes; want at most 4", looks)
	}
}
