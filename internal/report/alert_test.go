package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/golden"
	"github.com/mailcop/mailcop/internal/watch"
)

// mailbox is a fake sendmail: a script keeping each message in a file of
// its own, failing while dir/fail exists.
type mailbox struct {
	dir  string
	path string
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\n" +
		"[ ! -e '" + dir + "/fail' ] || { echo 'mail server down' >&2; exit 75; }\n" +
		"f=$(mktemp '" + dir + "/mail.XXXXXX') && cat >\"$f\"\n"
	path := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return &mailbox{dir: dir, path: path}
}

func (b *mailbox) mails(t *testing.T) []string {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(b.dir, "mail.*"))
	var out []string
	for _, n := range names {
		m, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(m))
	}
	return out
}

// rec is a record as mailcop-parse and mailcop-geo write it.
func rec(at time.Time, outcome, user, ip, country string, asn int, attempts int) string {
	m := map[string]any{"time": at.Format(time.RFC3339), "host": "mx1", "daemon": "dovecot", "service": "imap",
		"event": "auth", "outcome": outcome, "user": user, "ip": ip}
	if country != "" {
		m["country"] = country
	}
	if asn != 0 {
		m["asn"] = asn
	}
	if outcome == "failure" {
		m["reason"] = "password_mismatch"
		m["attempts"] = attempts
	}
	b, _ := json.Marshal(m)
	return string(b) + "\n"
}

var tw = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// runAlertCmd runs mailcop-report with args on input, and returns its
// stderr and error.
func runAlertCmd(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), args, strings.NewReader(input), &stdout, &stderr)
	if stdout.Len() > 0 {
		t.Errorf("-alert wrote on stdout: %q", stdout.String())
	}
	return stderr.String(), err
}

func alertArgs(b *mailbox, state string, more ...string) []string {
	return append([]string{"-alert", "-state-dir", state, "-to", "admin@example.org", "-sendmail", b.path, "-tz", "UTC"}, more...)
}

func bruteThenLogin(user, ip string, at time.Time) string {
	return rec(at, "failure", user, ip, "CN", 4134, 3) + rec(at.Add(10*time.Second), "failure", user, ip, "CN", 4134, 3) +
		rec(at.Add(20*time.Second), "success", user, ip, "CN", 4134, 0)
}

func TestAlertBruteForceThenLogin(t *testing.T) {
	b := newMailbox(t)
	stderr, err := runAlertCmd(t, bruteThenLogin("bob@example.com", "203.0.113.9", tw), alertArgs(b, t.TempDir())...)
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	mails := b.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	h, text, _ := parseMail(t, []byte(mails[0]))
	if got := h.Get("Subject"); got != "[mailcop] ALERT mx1: possible break-in into bob@example.com" {
		t.Errorf("subject %q", got)
	}
	for _, want := range []string{"after 6 failed attempts on this account from\n  this address", "mailcop info 'bob@example.com' -a",
		"change the account's password now"} {
		if !strings.Contains(text, want) {
			t.Errorf("the mail lacks %q:\n%s", want, text)
		}
	}
}

// TestAlertLeavesWhileInputOpen: the mail leaves once the alarm has
// waited -gather for others, while the pipeline still runs; the clock is
// the test's.
func TestAlertLeavesWhileInputOpen(t *testing.T) {
	var clock atomic.Int64
	clock.Store(tw.UnixNano())
	queued := make(chan struct{}, 4)
	oldNow, oldTick, oldQueued := now, alertTick, alarmQueued
	now = func() time.Time { return time.Unix(0, clock.Load()) }
	alertTick = 5 * time.Millisecond
	alarmQueued = func() { queued <- struct{}{} }
	defer func() { now, alertTick, alarmQueued = oldNow, oldTick, oldQueued }()
	// The clock moves only once the alarm the test caused is queued: its
	// -gather counts from then.
	waitQueued := func(user string) {
		t.Helper()
		select {
		case <-queued:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s's alarm never queued", user)
		}
	}

	b := newMailbox(t)
	pr, pw := io.Pipe()
	var wg sync.WaitGroup
	var runErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		runErr = Run(context.Background(), alertArgs(b, t.TempDir(), "-gather", "10s"), pr, io.Discard, io.Discard)
	}()
	io.WriteString(pw, bruteThenLogin("bob@example.com", "203.0.113.9", tw))
	waitQueued("bob")
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for range 2000 {
			if ok() {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("still waiting for %s", what)
	}
	// Before -gather has passed, nothing leaves: a burst may follow.
	time.Sleep(50 * time.Millisecond)
	if n := len(b.mails(t)); n != 0 {
		t.Fatalf("%d mails before -gather passed", n)
	}
	clock.Add(int64(11 * time.Second))
	waitFor("the mail", func() bool { return len(b.mails(t)) == 1 })
	// The attack goes on: the next mail waits 45 s after the first, then
	// leaves with the alarms of the meantime.
	io.WriteString(pw, bruteThenLogin("carol@example.com", "203.0.113.10", tw.Add(time.Minute)))
	waitQueued("carol")
	clock.Add(int64(20 * time.Second))
	time.Sleep(50 * time.Millisecond)
	if n := len(b.mails(t)); n != 1 {
		t.Fatalf("%d mails 20 s after the first", n)
	}
	clock.Add(int64(25 * time.Second))
	waitFor("the second mail", func() bool { return len(b.mails(t)) == 2 })
	pw.Close()
	wg.Wait()
	if runErr != nil {
		t.Fatal(runErr)
	}
	if n := len(b.mails(t)); n != 2 {
		t.Errorf("%d mails, want 2", n)
	}
}

func TestAlertBurstIsOneDigest(t *testing.T) {
	b := newMailbox(t)
	var in strings.Builder
	// A list of accounts tried from one address, then 20 of them worked.
	for i := range 40 {
		in.WriteString(rec(tw.Add(time.Duration(i)*time.Second), "failure", fmt.Sprintf("user%02d@example.com", i), "198.51.100.7", "RU", 0, 1))
	}
	for i := range 20 {
		in.WriteString(rec(tw.Add(time.Minute+time.Duration(i)*time.Second), "success", fmt.Sprintf("user%02d@example.com", i), "198.51.100.7", "RU", 0, 0))
	}
	if _, err := runAlertCmd(t, in.String(), alertArgs(b, t.TempDir())...); err != nil {
		t.Fatal(err)
	}
	mails := b.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want one digest", len(mails))
	}
	h, text, _ := parseMail(t, []byte(mails[0]))
	if got := h.Get("Subject"); got != "[mailcop] ALERT mx1: 20 possible break-ins" {
		t.Errorf("subject %q", got)
	}
	if n := strings.Count(text, "mailcop info 'user"); n != 20 {
		t.Errorf("%d accounts to look at, want 20", n)
	}
}

// TestAlertRestart: a run stops after the attack's first part; the next
// reads again the last lines the previous one had read (mailcop-tail
// -state's position is saved every 2 seconds) and the rest. The alarm of
// the first part is not raised again, and the failures of the first part
// make the second part's login an alarm.
func TestAlertRestart(t *testing.T) {
	b := newMailbox(t)
	state := t.TempDir()
	part1 := bruteThenLogin("bob@example.com", "203.0.113.9", tw) +
		rec(tw.Add(time.Minute), "failure", "carol@example.com", "192.0.2.200", "", 0, 5)
	if _, err := runAlertCmd(t, part1, alertArgs(b, state)...); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(part1, "\n")
	replay := strings.Join(lines[len(lines)-3:], "")
	part2 := rec(tw.Add(2*time.Minute), "success", "carol@example.com", "192.0.2.200", "", 0, 0)
	if _, err := runAlertCmd(t, replay+part2, alertArgs(b, state)...); err != nil {
		t.Fatal(err)
	}
	mails := b.mails(t)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2 (bob once, then carol)", len(mails))
	}
	var subjects []string
	for _, m := range mails {
		h, _, _ := parseMail(t, []byte(m))
		subjects = append(subjects, h.Get("Subject"))
	}
	if !strings.Contains(strings.Join(subjects, "|"), "into carol@example.com") ||
		strings.Count(strings.Join(subjects, "|"), "into bob@example.com") != 1 {
		t.Errorf("subjects %q", subjects)
	}
}

// history is 30 days of an account's logins from its usual places.
func history(user string, places ...string) string {
	var b strings.Builder
	for d := range 30 {
		for i, p := range places {
			ip, country, _ := strings.Cut(p, " ")
			b.WriteString(rec(tw.Add(time.Duration(d-31)*24*time.Hour+time.Duration(i)*time.Hour), "success", user, ip, country, 0, 0))
		}
	}
	return b.String()
}

func TestAlertLearnThenFirstTryLogins(t *testing.T) {
	b := newMailbox(t)
	state := t.TempDir()
	learnt := history("bob@example.com", "192.0.2.10 FR") +
		history("tom@example.com", "192.0.2.20 FR", "198.51.100.30 US") +
		history("carol@example.com", "192.0.2.40 FR")
	if _, err := runAlertCmd(t, learnt, alertArgs(b, state, "-learn")...); err != nil {
		t.Fatal(err)
	}
	if n := len(b.mails(t)); n != 0 {
		t.Fatalf("-learn sent %d mails", n)
	}
	live := rec(tw, "success", "bob@example.com", "203.0.113.50", "VN", 0, 0) + // first try, from a new country
		rec(tw.Add(time.Minute), "failure", "x1@example.com", "198.51.100.99", "FR", 0, 1) + // a list tried...
		rec(tw.Add(2*time.Minute), "failure", "x2@example.com", "198.51.100.99", "FR", 0, 1) +
		rec(tw.Add(3*time.Minute), "failure", "x3@example.com", "198.51.100.99", "FR", 0, 1) +
		rec(tw.Add(4*time.Minute), "success", "carol@example.com", "198.51.100.99", "FR", 0, 0) + // ...and carol's worked
		// The traveller, from his usual /24 (which the attacker shares): none.
		rec(tw.Add(5*time.Minute), "success", "tom@example.com", "198.51.100.31", "US", 0, 0)
	if _, err := runAlertCmd(t, live, alertArgs(b, state, "-notify", "tee -a "+filepath.Join(b.dir, "notify"))...); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(b.dir, "notify"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var a alert
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("notify input %q: %v", line, err)
		}
		got = append(got, a.User+" "+a.Class)
	}
	if want := "bob@example.com new_country|carol@example.com spray"; strings.Join(got, "|") != want {
		t.Errorf("alarms %q, want %q", got, want)
	}
	if n := len(b.mails(t)); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
}

func TestAlertSendmailFailureKeepsAlarms(t *testing.T) {
	b := newMailbox(t)
	state := t.TempDir()
	os.WriteFile(filepath.Join(b.dir, "fail"), nil, 0o644)
	stderr, err := runAlertCmd(t, bruteThenLogin("bob@example.com", "203.0.113.9", tw), alertArgs(b, state)...)
	if err == nil || !strings.Contains(err.Error(), "1 alarms could not be delivered") || !strings.Contains(stderr, "mail server down") {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	os.Remove(filepath.Join(b.dir, "fail"))
	stderr, err = runAlertCmd(t, "", alertArgs(b, state)...)
	if err != nil || !strings.Contains(stderr, "1 alarms not delivered before the last stop") {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	if n := len(b.mails(t)); n != 1 {
		t.Fatalf("%d mails, want the kept alarm", n)
	}
}

// TestAlertMailGolden pins the alarm mail, en and fr, text and HTML.
func TestAlertMailGolden(t *testing.T) {
	oldNow, oldRandom, oldHost := now, random, hostname
	now = func() time.Time { return time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC) }
	hostname = func() (string, error) { return "mx1.example.org", nil }
	defer func() { now, random, hostname = oldNow, oldRandom, oldHost }()
	in := history("bob@example.com", "192.0.2.10 FR")
	in += rec(tw, "success", "bob@example.com", "203.0.113.50", "VN", 45899, 0)
	in += bruteThenLogin("alice@example.com", "198.51.100.23", tw.Add(time.Minute))
	for _, lang := range []string{"en", "fr"} {
		random = bytes.NewReader(bytes.Repeat([]byte{7}, 64))
		b := newMailbox(t)
		if _, err := runAlertCmd(t, in, alertArgs(b, t.TempDir(), "-lang", lang)...); err != nil {
			t.Fatal(err)
		}
		mails := b.mails(t)
		if len(mails) != 1 {
			t.Fatalf("%s: %d mails", lang, len(mails))
		}
		golden.Check(t, filepath.Join("testdata", "alert_"+lang+".eml"), []byte(mails[0]))
	}
}

// TestAlertHostileUser: an account name is the attacker's text; it
// reaches no header, no HTML, no terminal and no JSON as anything but
// text.
func TestAlertHostileUser(t *testing.T) {
	user := "x\r\nBcc: victim@example.net\r\n\x1b]0;pwned\x07<script>alert(1)</script>'; rm -rf / #\u202e"
	b := newMailbox(t)
	notify := filepath.Join(b.dir, "notify")
	_, err := runAlertCmd(t, bruteThenLogin(user, "203.0.113.9", tw), alertArgs(b, t.TempDir(), "-notify", "tee "+notify)...)
	if err != nil {
		t.Fatal(err)
	}
	mails := b.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	h, text, html := parseMail(t, []byte(mails[0]))
	if len(h["Bcc"]) != 0 || strings.Contains(h.Get("To"), "victim") {
		t.Errorf("the account name added a recipient: %v", h)
	}
	for name, body := range map[string]string{"text": text, "html": html, "subject": h.Get("Subject")} {
		if strings.ContainsAny(body, "\x1b\x07\u202e\r") {
			t.Errorf("%s holds a control character: %q", name, body)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("the HTML part holds the account's <script>")
	}
	if !strings.Contains(text, `mailcop info 'x\r\nBcc: victim@example.net\r\n\x1b]0;pwned\x07<script>alert(1)</script>'\''; rm -rf / #\u202e' -a`) {
		t.Errorf("the command to run is not quoted as shown text:\n%s", text)
	}
	raw, err := os.ReadFile(notify)
	if err != nil {
		t.Fatal(err)
	}
	var a alert
	if err := json.Unmarshal(raw, &a); err != nil || strings.ContainsAny(a.User, "\x1b\r\n\x07\u202e") {
		t.Errorf("notify JSON %q: %v", raw, err)
	}
}

// TestSummaryListsWatchAlarms: the daily report, given the watch's state,
// lists among the possible compromises the login only the watch could
// judge (a first login from a new country, first try), with its reasons.
func TestSummaryListsWatchAlarms(t *testing.T) {
	b := newMailbox(t)
	state := t.TempDir()
	if _, err := runAlertCmd(t, history("bob@example.com", "192.0.2.10 FR"), alertArgs(b, state, "-learn")...); err != nil {
		t.Fatal(err)
	}
	day := rec(tw.Add(-time.Hour), "failure", "carol@example.com", "198.51.100.9", "CN", 0, 1) +
		rec(tw, "success", "bob@example.com", "203.0.113.50", "VN", 0, 0)
	if _, err := runAlertCmd(t, day, alertArgs(b, state)...); err != nil {
		t.Fatal(err)
	}
	summary := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if err := Run(context.Background(), append([]string{"-tz", "UTC"}, args...), strings.NewReader(day), &stdout, &stderr); err != nil {
			t.Fatalf("%v: %s", err, stderr.String())
		}
		return stdout.String()
	}
	const row = "2026-11-25 10:00:00  bob@example.com  203.0.113.50  VN       imap     first login from VN; in 30 logins since 2026-10-25 this account came only from FR"
	if got := summary("-state-dir", state); !strings.Contains(got, "Possible compromises") || !strings.Contains(got, row) {
		t.Errorf("the summary lacks the watch's alarm:\n%s", got)
	}
	if got := summary(); strings.Contains(got, "Possible compromises") {
		t.Errorf("without the watch's state, the summary cannot know:\n%s", got)
	}
}

// An SMTP login that sends no mail leaves only postfix's auth=1, which
// names no account: the alarm names the address and looks it up.
func TestAlertLoginWithoutAccount(t *testing.T) {
	b := newMailbox(t)
	ip := "2001:db8:bad:1::99"
	in := rec(tw, "failure", "carol@example.test", ip, "CN", 4134, 3) + rec(tw.Add(10*time.Second), "failure", "carol@example.test", ip, "CN", 4134, 3) +
		rec(tw.Add(20*time.Second), "success", "", ip, "CN", 4134, 0)
	if _, err := runAlertCmd(t, in, alertArgs(b, t.TempDir())...); err != nil {
		t.Fatal(err)
	}
	mails := b.mails(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1", len(mails))
	}
	h, text, _ := parseMail(t, []byte(mails[0]))
	if got := h.Get("Subject"); !strings.Contains(got, "(not logged)") {
		t.Errorf("subject %q", got)
	}
	if !strings.Contains(text, "mailcop info '"+ip+"' -a") || strings.Contains(text, "mailcop info '' -a") {
		t.Errorf("the mail does not look the address up:\n%s", text)
	}
	if !strings.Contains(text, "(not logged)") || !strings.Contains(strings.Join(strings.Fields(text), " "),
		"after 6 failed attempts from this address on 1 account; the log does not name the account that logged in") {
		t.Errorf("the mail does not say the account was not logged:\n%s", text)
	}
}

// An office's NAT gathers the colleagues' failures: a login from it,
// the account's own network for weeks, is no alarm, and -live says why.
func TestAlertOwnNetwork(t *testing.T) {
	b := newMailbox(t)
	state := t.TempDir()
	if _, err := runAlertCmd(t, history("dave@example.com", "192.0.2.60 FR"), alertArgs(b, state, "-learn")...); err != nil {
		t.Fatal(err)
	}
	live := rec(tw, "failure", "x1@example.com", "192.0.2.60", "FR", 0, 1) +
		rec(tw.Add(time.Minute), "failure", "x2@example.com", "192.0.2.60", "FR", 0, 1) +
		rec(tw.Add(2*time.Minute), "failure", "x3@example.com", "192.0.2.60", "FR", 0, 1) +
		rec(tw.Add(3*time.Minute), "success", "dave@example.com", "192.0.2.60", "FR", 0, 0) +
		rec(tw.Add(4*time.Minute), "success", "eve@example.com", "192.0.2.60", "FR", 0, 0) // a stranger's: a spray
	if _, err := runAlertCmd(t, live, alertArgs(b, state, "-notify", "tee -a "+filepath.Join(b.dir, "notify"))...); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(b.dir, "notify"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(raw)); strings.Count(got, "\n") != 0 || !strings.Contains(got, `"user":"eve@example.com"`) {
		t.Errorf("alarms:\n%s\nwant eve's only", got)
	}
	v := watch.Verdict{Classes: []watch.Class{watch.OwnNet}, Net: "192.0.2.0/24", Attempts: 3, Accounts: 3,
		NetSince: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		m    *msgs
		want string
	}{
		{english, "after 3 failed attempts on 3 other accounts from this address, of 192.0.2.0/24, a network this account has used since 2026-10-01: a shared address (an office's NAT, a carrier's)?"},
		{french, "après 3 tentatives échouées sur 3 autres comptes depuis cette adresse, de 192.0.2.0/24, un réseau de ce compte depuis le 2026-10-01 : une adresse partagée (NAT d'un bureau, d'un opérateur) ?"},
	} {
		if got := verdictWhy(c.m, &v); got != c.want {
			t.Errorf("why %q\nwant %q", got, c.want)
		}
	}
}
