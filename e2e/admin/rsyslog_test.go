//go:build e2e

package admin

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort is a TCP port on loopback that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// rsyslogd starts Debian's rsyslogd in the foreground on conf, with its
// own pid file, and stops it when the test ends.
func rsyslogd(t *testing.T, ctx context.Context, dir, name, conf string) {
	t.Helper()
	prog := need(t, "rsyslogd", "rsyslog")
	cf := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(prog, "-N1", "-f", cf).CombinedOutput(); err != nil {
		t.Fatalf("rsyslogd -N1 %s: %v\n%s", name, err, out)
	}
	cmd := exec.CommandContext(ctx, prog, "-n", "-f", cf, "-i", filepath.Join(dir, name+".pid"))
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Cancel()
		cmd.Wait()
		if t.Failed() && out.Len() > 0 {
			t.Logf("rsyslogd %s:\n%s", name, out.String())
		}
	})
}

// The README's many-servers recipe, for real: two mail servers' rsyslogs
// (hostnames mx1 and mx2) forward their mail facility over TCP on loopback
// to a central rsyslog, which writes one file in Debian 12's traditional
// format and one in RFC 3339 (Debian 13's). mailcop on each central file
// tells the servers apart by host (mailcop-count -by host, the report's
// Servers section, the front script's mailcop -host), and sees the
// attacker who tried both as one address.
func TestManyServers(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	port := freePort(t)
	classic := filepath.Join(dir, "remote-mail.log")
	rfc3339 := filepath.Join(dir, "remote-mail-rfc3339.log")
	rsyslogd(t, ctx, dir, "central", fmt.Sprintf(`global(workDirectory=%q)
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="%d")
mail.* action(type="omfile" file=%q template="RSYSLOG_TraditionalFileFormat")
mail.* action(type="omfile" file=%q template="RSYSLOG_FileFormat")
`, dir, port, classic, rfc3339))
	waitFor(t, "the central rsyslog listening", 20*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})

	socks := map[string]string{}
	for _, host := range []string{"mx1", "mx2"} {
		sock := filepath.Join(dir, host+".sock")
		socks[host] = sock
		work := filepath.Join(dir, host)
		if err := os.Mkdir(work, 0o755); err != nil {
			t.Fatal(err)
		}
		// A mail server's rsyslog: its daemons log to a socket of its
		// own (its /dev/log), and the mail facility goes to the
		// central host with the README's one line.
		rsyslogd(t, ctx, dir, host, fmt.Sprintf(`global(workDirectory=%q localHostname=%q)
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket=%q RateLimit.Interval="0")
mail.* @@127.0.0.1:%d
`, work, host, sock, port))
		waitFor(t, host+"'s socket", 20*time.Second, func() bool {
			_, err := os.Stat(sock)
			return err == nil
		})
	}

	// What each server's daemons log, as they send it to /dev/log:
	// priority mail.info, stamp, tag, message.
	stamp := time.Now().Format(time.Stamp)
	logs := map[string][]string{
		"mx1": {
			"dovecot: imap-login: Disconnected (auth failed, 4 attempts in 20 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.66, lip=192.0.2.5, TLS, session=<Mx1SessionAAAAAA>",
			"dovecot: imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=198.51.100.20, lip=192.0.2.5, mpid=2001, TLS, session=<Mx1SessionBBBBBB>",
		},
		"mx2": {
			"postfix/submission/smtpd[4242]: warning: unknown[203.0.113.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
			"postfix/submission/smtpd[4242]: warning: unknown[203.0.113.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
			"postfix/submission/smtpd[4242]: warning: unknown[203.0.113.66]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
			"dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 2 secs): user=<bob@example.com>, method=PLAIN, rip=198.51.100.9, lip=192.0.2.6, TLS, session=<Mx2SessionCCCCCC>",
		},
	}
	sent := 0
	for host, lines := range logs {
		c, err := net.Dial("unixgram", socks[host])
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if _, err := fmt.Fprintf(c, "<22>%s %s", stamp, l); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		c.Close()
	}
	for _, f := range []string{classic, rfc3339} {
		waitFor(t, "every line in "+filepath.Base(f), 30*time.Second, func() bool {
			return strings.Count(readFile(t, f), "\n") >= sent
		})
	}
	text := readFile(t, classic)
	for _, want := range []string{" mx1 dovecot: imap-login: Disconnected", " mx2 postfix/submission/smtpd[4242]: warning"} {
		if !strings.Contains(text, want) {
			t.Errorf("central file lacks %q:\n%s", want, text)
		}
	}

	for _, f := range []string{classic, rfc3339} {
		t.Run(filepath.Base(f), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("%s:\n%s", f, readFile(t, f))
				}
			}()
			parsed := run(t, nil, bin(t, "mailcop-parse"), f)
			for _, r := range records(t, parsed) {
				if r.Host != "mx1" && r.Host != "mx2" {
					t.Errorf("record with host %q, want mx1 or mx2: %+v", r.Host, r)
				}
			}
			count := func(by string) map[string]float64 {
				got := map[string]float64{}
				for _, row := range rows(t, run(t, parsed, bin(t, "mailcop-count"), "-by", by)) {
					var key []string
					for _, k := range strings.Split(by, ",") {
						key = append(key, fmt.Sprint(row[k]))
					}
					got[strings.Join(key, " ")] = row["count"].(float64)
				}
				return got
			}
			expect := func(by string, want map[string]float64) {
				t.Helper()
				got := count(by)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("-by %s: %v, want %v", by, got, want)
				}
			}
			expect("host", map[string]float64{"mx1": 4, "mx2": 4})
			expect("host,ip", map[string]float64{"mx1 203.0.113.66": 4, "mx2 203.0.113.66": 3, "mx2 198.51.100.9": 1})
			// One attacker, whichever server it tried.
			expect("ip", map[string]float64{"203.0.113.66": 7, "198.51.100.9": 1})

			// The summary counts the attacker once, in its totals and in
			// its per-address table, and has a section per server.
			report := string(run(t, parsed, bin(t, "mailcop-report")))
			if !strings.Contains(report, "\n8 failed attempts from 2 addresses against 2 accounts\n") {
				t.Errorf("report's totals are not 8 attempts from 2 addresses against 2 accounts:\n%s", report)
			}
			sameSection(t, report, "Servers", `  SHARED: addresses that attacked other servers too. Each address counts once
  in the tables below, whatever the servers it attacked.
  ATTEMPTS  LOGINS  ADDRESSES  SHARED  SERVER
         4       1          1       1  mx1
         4       0          2       1  mx2
`)
			sameSection(t, report, "Top 10 addresses", `  ADDRESS       ATTEMPTS  ACCOUNTS
  203.0.113.66         7         1
  198.51.100.9         1         1
`)

			// The front script, as an admin on the log host runs it:
			// -host keeps one server's attempts. (-a: the whole file,
			// whatever the day, so that no run near midnight differs.)
			env := append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8",
				"PATH="+filepath.Join(repo, "bin")+":"+os.Getenv("PATH"),
				"MAILCOP_CONFIG="+filepath.Join(t.TempDir(), "none"), "MAILCOP_LANG=en")
			front := func(args ...string) string {
				t.Helper()
				args = append([]string{filepath.Join(repo, "scripts", "mailcop"), "-a", "-log", f}, args...)
				return runEnv(t, env, "sh", args...)
			}
			same := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s:\n%s\nwant:\n%s", what, got, want)
				}
			}
			same("mailcop -host mx1 ips", front("-host", "mx1", "ips"),
				"203.0.113.66            4  documentation\n")
			same("mailcop -host mx2 ips", front("-host", "mx2", "ips"),
				"198.51.100.9            1  documentation\n203.0.113.66            3  documentation\n")
			same("mailcop -host mx1 logins", front("-host", "mx1", "logins"), "      4 info@example.com\n")
			same("mailcop -host mx2 logins", front("-host", "mx2", "logins"), "      1 bob@example.com\n      3 -\n")
			// The attempts one per line, without their time (the
			// central host's clock writes it): account, address,
			// country, and how many the line stands for.
			same("mailcop -host mx1", withoutStamps(front("-host", "mx1")),
				"info@example.com                    203.0.113.66     documentation  x4\n")
			same("mailcop -host mx2", withoutStamps(front("-host", "mx2")),
				"-                                   203.0.113.66     documentation\n"+
					"-                                   203.0.113.66     documentation\n"+
					"-                                   203.0.113.66     documentation\n"+
					"bob@example.com                     198.51.100.9     documentation\n")
			one := front("-host", "mx2", "report")
			if !strings.Contains(one, "\n4 failed attempts from 2 addresses against 1 account\n") || strings.Contains(one, "\nServers\n") {
				t.Errorf("mailcop -host mx2 report: want mx2's 4 attempts and no Servers section:\n%s", one)
			}
		})
	}
}

// sameSection checks a report section's body, from below its underlined
// heading to the blank line that ends it.
func sameSection(t *testing.T, report, heading, want string) {
	t.Helper()
	head := heading + "\n" + strings.Repeat("-", len(heading)) + "\n"
	_, body, found := strings.Cut(report, "\n"+head)
	if !found {
		t.Errorf("report has no section %q:\n%s", heading, report)
		return
	}
	body, _, _ = strings.Cut(body, "\n\n")
	if body+"\n" != want {
		t.Errorf("report's section %q:\n%s\nwant:\n%s", heading, body, want)
	}
}

// withoutStamps drops the leading "Jan _2 15:04:05 " of each line.
func withoutStamps(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if len(l) > len(time.Stamp)+1 {
			l = l[len(time.Stamp)+1:]
		}
		b.WriteString(l)
	}
	return b.String()
}
