//go:build e2e

package admin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/loggen"
)

// filter is the shipped fail2ban filter, unit the service that feeds it.
var (
	filter = filepath.Join(repo, "etc", "fail2ban", "filter.d", "mailcop.conf")
	unit   = filepath.Join(repo, "etc", "systemd", "mailcop-fail2ban.service")
)

// unitShell is the shell script of a unit's ExecStart=/bin/sh -c '...',
// as the shell gets it from systemd ($$ is $).
func unitShell(t *testing.T, name string) string {
	t.Helper()
	for _, l := range strings.Split(readFile(t, name), "\n") {
		if s, ok := strings.CutPrefix(l, "ExecStart=/bin/sh -c '"); ok && strings.HasSuffix(s, "'") && !strings.Contains(s[:len(s)-1], "'") {
			return strings.ReplaceAll(s[:len(s)-1], "$$", "$")
		}
	}
	t.Fatalf("%s: no ExecStart=/bin/sh -c '...' line", name)
	return ""
}

// The unit is one systemd accepts (Debian 12's systemd-analyze).
func TestFail2banUnit(t *testing.T) {
	out, err := exec.Command(need(t, "systemd-analyze", "systemd"), "verify", "--man=no", unit).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
	}
}

// f2bLines is fail2ban-regex's summary line.
var f2bLines = regexp.MustCompile(`(?m)^Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed`)

// regexCount runs Debian's fail2ban-regex with the shipped filter over a
// file and returns the addresses it found, one per match, and its line
// summary.
func regexCount(t *testing.T, file string) (map[string]int, [4]int) {
	t.Helper()
	prog := need(t, "fail2ban-regex", "fail2ban")
	found := map[string]int{}
	for _, ip := range strings.Fields(string(run(t, nil, prog, "-o", "ip", file, filter))) {
		found[ip]++
	}
	m := f2bLines.FindStringSubmatch(string(run(t, nil, prog, file, filter)))
	if m == nil {
		t.Fatal("fail2ban-regex printed no line summary")
	}
	var n [4]int
	for i := range n {
		fmt.Sscan(m[i+1], &n[i])
	}
	return found, n
}

// attemptsByIP sums the attempts of mailcop-parse's failure records.
func attemptsByIP(t *testing.T, ndjson []byte) (map[string]int, int) {
	t.Helper()
	want := map[string]int{}
	total := 0
	for _, r := range records(t, ndjson) {
		if r.Event == "auth" && r.Outcome == "failure" && r.IP != "" {
			want[r.IP] += r.Attempts
			total += r.Attempts
		}
	}
	return want, total
}

func sameCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for ip, n := range want {
		if got[ip] != n {
			t.Errorf("%s: fail2ban found %s %d times, want %d", what, ip, got[ip], n)
		}
	}
	for ip, n := range got {
		if _, ok := want[ip]; !ok {
			t.Errorf("%s: fail2ban found %s %d times, want none", what, ip, n)
		}
	}
}

// On the sample day, fail2ban-regex with mailcop's filter matches every
// line mailcop-report -fail2ban writes, and finds each address as many
// times as it made attempts: weights kept, nothing else matched.
func TestFail2banRegexSample(t *testing.T) {
	parsed := run(t, nil, bin(t, "mailcop-parse"), "-year", "2026", filepath.Join(repo, "testdata", "sample", "mail.log"))
	want, total := attemptsByIP(t, parsed)
	out := filepath.Join(t.TempDir(), "fail2ban.log")
	if err := os.WriteFile(out, run(t, parsed, bin(t, "mailcop-report"), "-fail2ban"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, n := regexCount(t, out)
	if n != [4]int{total, 0, total, 0} || total < 50 {
		t.Errorf("fail2ban-regex: %d lines, %d ignored, %d matched, %d missed; want %d lines all matched", n[0], n[1], n[2], n[3], total)
	}
	sameCounts(t, "sample", found, want)
	// The sample's address that sent weighted sessions (3 attempts in one
	// login-process line) weighs them in full.
	if want["45.155.205.233"] != 30 {
		t.Errorf("45.155.205.233: %d attempts in the sample, want 30", want["45.155.205.233"])
	}
}

// On a generated day of a busy server, what fail2ban counts per address
// is the generator's truth: every attack shape mailcop knows, each
// attempt once.
func TestFail2banRegexGenerated(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := loggen.Generate(f, loggen.Config{Size: 4 << 20, Seed: 7, Format: loggen.Syslog})
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		t.Fatal(err)
	}
	parsed := run(t, nil, bin(t, "mailcop-parse"), "-year", "2026", log)
	out := filepath.Join(dir, "fail2ban.log")
	if err := os.WriteFile(out, run(t, parsed, bin(t, "mailcop-report"), "-fail2ban"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, n := regexCount(t, out)
	want := map[string]int{}
	for ip, c := range truth.FailuresByIP {
		want[ip] = int(c)
	}
	if n[0] != int(truth.Failures) || n[2] != n[0] || n[1]+n[3] != 0 {
		t.Errorf("fail2ban-regex: %d lines, %d ignored, %d matched, %d missed; want %d lines all matched", n[0], n[1], n[2], n[3], truth.Failures)
	}
	if truth.Failures < 500 {
		t.Fatalf("generated log too tame: %d failures", truth.Failures)
	}
	sameCounts(t, "generated", found, want)
}

// A real fail2ban-server, in the foreground with its own socket, pid file
// and database, runs the shipped filter on what the shipped unit's live
// pipeline (mailcop-tail -f | mailcop-parse | mailcop-report -fail2ban)
// writes;
// its action records bans in a file instead of touching a firewall. The
// loud attackers (IPv4 and IPv6, each logged on one line for several
// attempts) are banned, the user who mistyped once is not, and a user
// name holding an address bans nobody.
func TestFail2banServerBans(t *testing.T) {
	server := need(t, "fail2ban-server", "fail2ban")
	dir := t.TempDir()
	mailLog := filepath.Join(dir, "mail.log")
	attempts := filepath.Join(dir, "fail2ban.log")
	bans := filepath.Join(dir, "bans")
	serverLog := filepath.Join(dir, "server.log")
	for _, f := range []string{mailLog, attempts, bans} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "conf")
	jail := strings.ReplaceAll(strings.ReplaceAll(readFile(t, filepath.Join(repo, "etc", "fail2ban", "jail.d", "mailcop.conf")),
		"enabled  = false", "enabled  = true"), "/var/log/mailcop/fail2ban.log", attempts)
	// The shipped jail, enabled, reading this test's file, polling (no
	// inotify guesswork) and banning with the recording action.
	jail = strings.Replace(jail, "backend  = auto", "backend  = polling", 1) +
		"action   = record[bans=\"" + bans + "\"]\n"
	writeFiles(t, conf, map[string]string{
		"fail2ban.conf": "[Definition]\nloglevel = INFO\nlogtarget = " + serverLog + "\nsyslogsocket = auto\nallowipv6 = auto\n" +
			"socket = " + filepath.Join(dir, "f2b.sock") + "\npidfile = " + filepath.Join(dir, "f2b.pid") +
			"\ndbfile = " + filepath.Join(dir, "f2b.sqlite3") + "\ndbpurgeage = 1d\n",
		"jail.conf":             "[DEFAULT]\nignoreip = 127.0.0.1/8 ::1\n",
		"jail.d/mailcop.conf":   jail,
		"filter.d/mailcop.conf": readFile(t, filter),
		"action.d/record.conf": "[Definition]\nactionstart =\nactionstop =\nactioncheck =\n" +
			"actionban = printf '%%s\\n' '<ip>' >> <bans>\nactionunban =\n[Init]\nbans = /dev/null\n",
	})
	if !strings.Contains(jail, "enabled  = true") || !strings.Contains(jail, attempts) {
		t.Fatalf("the shipped jail no longer has the lines this test edits:\n%s", jail)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f2b := exec.CommandContext(ctx, server, "-xf", "-c", conf, "-s", filepath.Join(dir, "f2b.sock"), "-p", filepath.Join(dir, "f2b.pid"), "start")
	f2b.Cancel = func() error { return f2b.Process.Signal(syscall.SIGTERM) }
	f2b.WaitDelay = 10 * time.Second
	f2b.Env = append(os.Environ(), "TZ=UTC")
	var f2bOut bytes.Buffer
	f2b.Stdout, f2b.Stderr = &f2bOut, &f2bOut
	if err := f2b.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		f2b.Wait()
		if t.Failed() {
			t.Logf("fail2ban-server:\n%s\n%s", f2bOut.String(), readFile(t, serverLog))
		}
	}()
	waitFor(t, "fail2ban's jail started", 30*time.Second, func() bool {
		return strings.Contains(readFile(t, serverLog), "Jail 'mailcop' started")
	})

	// The live pipeline: the shipped unit's command, run as systemd
	// would (its settings in the environment, stdout appended to the
	// jail's file), with this tree's binaries and a state of its own.
	for _, c := range []string{"mailcop-tail", "mailcop-parse", "mailcop-report"} {
		bin(t, c)
	}
	script := strings.Replace(unitShell(t, unit), "/var/lib/mailcop/fail2ban.state", filepath.Join(dir, "tail.state"), 1)
	if !strings.Contains(script, filepath.Join(dir, "tail.state")) {
		t.Fatalf("the unit's command no longer keeps its state in /var/lib/mailcop/fail2ban.state:\n%s", script)
	}
	out, err := os.OpenFile(attempts, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	pipe := exec.CommandContext(ctx, "/bin/sh", "-c", script)
	pipe.Cancel = func() error { return syscall.Kill(-pipe.Process.Pid, syscall.SIGTERM) }
	pipe.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe.WaitDelay = 5 * time.Second
	pipe.Env = []string{"PATH=" + filepath.Join(repo, "bin") + ":/usr/bin:/bin", "TZ=UTC", "MAILCOP_LOGS=" + mailLog}
	pipe.Stdout = out
	var pipeErr bytes.Buffer
	pipe.Stderr = &pipeErr
	if err := pipe.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		pipe.Wait()
		if pipeErr.Len() > 0 {
			t.Logf("pipeline stderr:\n%s", pipeErr.String())
		}
	}()

	stamp := time.Now().UTC().Format(time.Stamp)
	appendFile(t, mailLog, strings.Join([]string{
		// The loud attacker: one dovecot session of 6 attempts, one line
		// that a line-counting jail would take for one attempt. Its user
		// name names another address.
		stamp + " mx1 dovecot: imap-login: Disconnected (auth failed, 6 attempts in 30 secs): user=<rip=192.0.2.99>, method=PLAIN, rip=203.0.113.66, lip=192.0.2.5, TLS, session=<AbCdEfGh12345678>",
		// An IPv6 attacker, 5 attempts in one POP3 session: the jail's
		// threshold exactly.
		stamp + " mx1 dovecot: pop3-login: Aborted login (auth failed, 5 attempts in 12 secs): user=<admin>, method=PLAIN, rip=2001:db8:bad::66, lip=2001:db8::25, TLS, session=<IjKlMnOp87654321>",
		// The typo: one wrong password, then the right one.
		stamp + " mx1 postfix/submission/smtpd[4242]: warning: unknown[198.51.100.7]: SASL PLAIN authentication failed: authentication failure",
		stamp + " mx1 postfix/submission/smtpd[4242]: 4FqXyZ1abc: client=unknown[198.51.100.7], sasl_method=PLAIN, sasl_username=carol@example.com",
		"",
	}, "\n"))

	waitFor(t, "the loud attackers banned", 60*time.Second, func() bool {
		b := readFile(t, bans)
		return strings.Contains(b, "203.0.113.66\n") && strings.Contains(b, "2001:db8:bad::66\n")
	})
	// The typo's line is in the same poll as the attacker's: once the
	// jail has seen it, its verdict is final.
	waitFor(t, "fail2ban saw the typo", 10*time.Second, func() bool {
		return strings.Contains(readFile(t, serverLog), "[mailcop] Found 198.51.100.7")
	})
	time.Sleep(2 * time.Second)
	if got := strings.Fields(readFile(t, bans)); len(got) != 2 {
		t.Errorf("banned: %v, want only 203.0.113.66 and 2001:db8:bad::66", got)
	}
	sl := readFile(t, serverLog)
	for ip, n := range map[string]int{"203.0.113.66": 6, "2001:db8:bad::66": 5, "198.51.100.7": 1, "192.0.2.99": 0} {
		if got := strings.Count(sl, "[mailcop] Found "+ip+" "); got != n {
			t.Errorf("fail2ban found %s %d times, want %d", ip, got, n)
		}
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func appendFile(t *testing.T, name, text string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Why a jail of mailcop's: on lines every mail server writes, Debian 12's
// stock dovecot and postfix-sasl filters miss dovecot 2.4's summary,
// count a 2.3 summary of 3 attempts as 1, and both count the one SMTP
// AUTH attempt that postfix asked dovecot to check. mailcop's filter
// counts each attempt once: 7.
func TestStockJailsMiscount(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	writeFiles(t, dir, map[string]string{"mail.log": strings.Join([]string{
		"Nov 25 19:07:29 mx1 dovecot: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02g3J8S60fan>",
		"Nov 25 19:08:29 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 16 secs): user=<test>, method=PLAIN, rip=192.0.2.242, lip=203.0.113.104, TLS, session=<8YGp91f2I7R59ezm>",
		"Nov 25 19:09:14 mx1 dovecot: auth: passwd-file(info@example.com,192.0.2.243): Password mismatch",
		"Nov 25 19:09:14 mx1 postfix/submission/smtpd[21877]: warning: unknown[192.0.2.243]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
		"",
	}, "\n")})
	stock := 0
	for _, f := range []string{"/etc/fail2ban/filter.d/dovecot.conf", "/etc/fail2ban/filter.d/postfix.conf[mode=auth]"} {
		m := f2bLines.FindStringSubmatch(string(run(t, nil, need(t, "fail2ban-regex", "fail2ban"), log, f)))
		if m == nil {
			t.Fatalf("fail2ban-regex %s printed no line summary", f)
		}
		n := 0
		fmt.Sscan(m[3], &n)
		stock += n
	}
	if stock != 3 {
		t.Errorf("the stock filters matched %d lines, want 3 (1 of 2.3's summary, the same attempt twice)", stock)
	}
	out := filepath.Join(dir, "fail2ban.log")
	parsed := run(t, nil, bin(t, "mailcop-parse"), "-year", "2026", log)
	if err := os.WriteFile(out, run(t, parsed, bin(t, "mailcop-report"), "-fail2ban"), 0o644); err != nil {
		t.Fatal(err)
	}
	found, n := regexCount(t, out)
	if n[2] != 7 {
		t.Errorf("mailcop's filter matched %d lines, want 7", n[2])
	}
	sameCounts(t, "stock lines", found, map[string]int{"192.0.2.241": 3, "192.0.2.242": 3, "192.0.2.243": 1})
}
