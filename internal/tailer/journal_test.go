package tailer

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const journalEntries = `{"__CURSOR":"s=1;i=a1","__REALTIME_TIMESTAMP":"1764138301000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"dovecot","MESSAGE":"imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, rip=192.0.2.1"}
{"__CURSOR":"s=1;i=a2","__REALTIME_TIMESTAMP":"1764138302000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtpd","MESSAGE":[106,233,114,244,109,101]}
`

// fakeJournalctl puts a journalctl on PATH that records its arguments in
// dir/args and runs script.
func fakeJournalctl(t *testing.T, script string) (dir string) {
	dir = t.TempDir()
	sh := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + filepath.Join(dir, "args") + "\n" + script
	if err := os.WriteFile(filepath.Join(dir, "journalctl"), []byte(sh), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "entries"), journalEntries)
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	return dir
}

func journalArgs(t *testing.T, dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(data)), "\n", " ")
}

// -journal writes journalctl's entries unchanged, and with -state starts
// the next run after the cursor of the last one written.
func TestJournal(t *testing.T) {
	dir := fakeJournalctl(t, "cat \"$(dirname \"$0\")/entries\"\n")
	state := filepath.Join(dir, "tail.state")
	recs, stderr, err := runOnce(t, "-journal", "-state", state, "-unit", "postfix", "-unit", "dovecot")
	if err != nil || stderr != "" {
		t.Fatalf("%v %s", err, stderr)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if got, want := journalArgs(t, dir), "--output=json --no-pager --unit=postfix --unit=dovecot"; got != want {
		t.Errorf("journalctl %s, want %s", got, want)
	}
	var out strings.Builder
	if err := runRaw(&out, "-journal"); err != nil {
		t.Fatal(err)
	}
	if out.String() != journalEntries {
		t.Errorf("entries changed:\n%s", out.String())
	}
	st, err := loadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if st.Journal != "s=1;i=a2" {
		t.Errorf("cursor %q", st.Journal)
	}
	if _, _, err := runOnce(t, "-journal", "-state", state); err != nil {
		t.Fatal(err)
	}
	if got, want := journalArgs(t, dir), "--output=json --no-pager --after-cursor=s=1;i=a2"; got != want {
		t.Errorf("journalctl %s, want %s", got, want)
	}
	runOnce(t, "-journal", "-n", "5")
	if got, want := journalArgs(t, dir), "--output=json --no-pager --lines=5"; got != want {
		t.Errorf("journalctl %s, want %s", got, want)
	}
}

// Following the journal: SIGINT or SIGTERM stops journalctl, and the
// cursor of what was written out is saved.
func TestJournalFollow(t *testing.T) {
	dir := fakeJournalctl(t, "cat \"$(dirname \"$0\")/entries\"\nexec sleep 60\n")
	state := filepath.Join(dir, "tail.state")
	c, stop := runTail(t, "-journal", "-f", "-state", state)
	c.waitFor(t, "two entries", 30*time.Second, func(recs []tailRecord) bool { return len(recs) == 2 })
	if stderr, err := stop(); err != nil || stderr != "" {
		t.Errorf("%v %s", err, stderr)
	}
	if got, want := journalArgs(t, dir), "--output=json --no-pager --follow --no-tail"; got != want {
		t.Errorf("journalctl %s, want %s", got, want)
	}
	st, err := loadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if st.Journal != "s=1;i=a2" {
		t.Errorf("cursor %q", st.Journal)
	}
}

// A missing or failing journalctl is a clear error.
func TestJournalErrors(t *testing.T) {
	fakeJournalctl(t, "echo 'Failed to open journal: Permission denied' >&2\nexit 1\n")
	_, _, err := runOnce(t, "-journal")
	if err == nil || err.Error() != "journalctl: exit status 1: Failed to open journal: Permission denied" {
		t.Errorf("failing journalctl: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, _, err = runOnce(t, "-journal")
	if err == nil || !strings.HasPrefix(err.Error(), `-journal: exec: "journalctl": executable file not found in $PATH`) || !strings.Contains(err.Error(), "\nhint: ") {
		t.Errorf("no journalctl: %v", err)
	}
}

func runRaw(out *strings.Builder, args ...string) error {
	return Run(context.Background(), args, strings.NewReader(""), out, io.Discard)
}
