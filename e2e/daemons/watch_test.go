//go:build e2e

package daemons

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// watch is scripts/mailcop-watch, the watch service, following the mail
// log while the attack runs, with a sendmail that keeps each message.
type watch struct {
	cmd  *exec.Cmd
	mail string // where the fake sendmail puts the messages
}

// startWatch starts the watch service on log, as its settings file would
// have it on a server: MAILCOP_LOGS, MAILCOP_STATE_DIR, MAILCOP_SENDMAIL.
func startWatch(t *testing.T, log string) *watch {
	t.Helper()
	dir := t.TempDir()
	w := &watch{mail: filepath.Join(dir, "sent")}
	if err := os.Mkdir(w.mail, 0o755); err != nil {
		t.Fatal(err)
	}
	sendmail := filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\n# Keeps the message, the way sendmail -t would send it.\ncat > \"" + w.mail + "/$$.tmp\" && mv \"" + w.mail + "/$$.tmp\" \"" + w.mail + "/$$.eml\"\n"
	if err := os.WriteFile(sendmail, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := filepath.Join(dir, "mailcop")
	conf := fmt.Sprintf("MAILCOP_LOGS=%s\nMAILCOP_STATE_DIR=%s\nMAILCOP_SENDMAIL=%s\nMAILCOP_ALERT_TO=postmaster@example.test\nMAILCOP_GEOIP_DB=none\nMAILCOP_ASN_DB=none\n",
		log, filepath.Join(dir, "state"), sendmail)
	if err := os.WriteFile(settings, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// The log exists once rsyslog wrote the daemons' first lines.
	for i := 0; i < 50; i++ {
		if _, err := os.Stat(log); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.cmd = exec.Command("sh", "../../scripts/mailcop-watch")
	w.cmd.Env = append(os.Environ(), "MAILCOP_CONFIG="+settings, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	w.cmd.Stderr = os.Stderr
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		group := -w.cmd.Process.Pid
		syscall.Kill(group, syscall.SIGTERM)
		w.cmd.Wait()
		// The pipeline's programs outlive the shell by a moment (the
		// report saves its state): wait for the whole group, a while.
		for i := 0; i < 50 && syscall.Kill(group, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return w
}

// alarm waits, at most until deadline, for a message naming user and ip,
// and returns it with when it was seen.
func (w *watch) alarm(user, ip string, deadline time.Time) (string, time.Time) {
	for {
		files, _ := filepath.Glob(filepath.Join(w.mail, "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && strings.Contains(string(b), user) && strings.Contains(string(b), ip) {
				return string(b), time.Now()
			}
		}
		if time.Now().After(deadline) {
			return "", time.Time{}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkWatch requires the break-in alarm for bob's account from the
// brute force's address, mailed within the minute the watch service
// promises: the break-in is among the attack's last sessions, so the
// minute counts from the attack's end.
func checkWatch(t *testing.T, w *watch, ended time.Time) {
	t.Helper()
	msg, at := w.alarm("bob@example.test", bruteIP, ended.Add(time.Minute))
	if msg == "" {
		files, _ := filepath.Glob(filepath.Join(w.mail, "*.eml"))
		t.Errorf("no alarm naming bob@example.test and %s within a minute of the attack's end (%d other messages)", bruteIP, len(files))
		return
	}
	// The text part is enough to read; the HTML one says the same.
	text, _, _ := strings.Cut(msg, "Content-Type: text/html")
	t.Logf("the watch service's alarm for bob@example.test from %s came %v after the attack's end:\n%s",
		bruteIP, at.Sub(ended).Round(100*time.Millisecond), text)
	// carol's SMTP login names no account: the alarm looks the address up.
	lookup := "mailcop info '" + bruteIP6 + "' -a"
	if msg, _ := w.alarm(lookup, bruteIP6, ended.Add(time.Minute)); msg == "" {
		t.Errorf("no alarm for the break-in from %s advising %q", bruteIP6, lookup)
	}
}
