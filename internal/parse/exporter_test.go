package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// readFixture returns the lines of testdata/exporter/name, without those
// that contain drop when it is set.
func readFixture(t *testing.T, name, drop string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "exporter", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if drop == "" || !strings.Contains(l, drop) {
			lines = append(lines, l)
		}
	}
	return lines
}

// perAddress sums failed attempts by address, and counts logins.
func perAddress(recs []record.Record) string {
	fails := map[string]int{}
	logins := 0
	for _, r := range recs {
		switch r.Outcome {
		case "failure":
			fails[r.IP] += r.Attempts
		case "success":
			logins++
		}
	}
	var out []string
	for ip, n := range fails {
		out = append(out, fmt.Sprintf("%s=%d", ip, n))
	}
	sort.Strings(out)
	return strings.Join(append(out, fmt.Sprintf("logins=%d", logins)), " ")
}

// What a real dovecot 2.3.19 wrote under a small attack (see
// testdata/exporter/README.md): every combination of its log and its
// exporter's events counts the 5 failed attempts and the login exactly,
// among them the two failures before a login that default logging hides.
func TestExporterRealDovecot(t *testing.T) {
	const truth = "127.0.0.1=1 2001:db8::66=2 203.0.113.7=2 logins=1"
	defaultLog := readFixture(t, "default.log", "stats: Info:")
	cat := func(parts ...[]string) []string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"default logging alone misses the failures of a session that logs in", defaultLog, "127.0.0.1=1 2001:db8::66=2 logins=1"},
		{"default logging with the exporter's log transport", readFixture(t, "default.log", ""), truth},
		{"the exporter's http-post events alone", readFixture(t, "default-http.jsonl", ""), truth},
		{"default logging, then the events", cat(defaultLog, readFixture(t, "default-http.jsonl", "")), truth},
		{"the events, then default logging", cat(readFixture(t, "default-http.jsonl", ""), defaultLog), truth},
		{"auth_verbose_passwords alone", readFixture(t, "sha1.log", ""), truth},
		{"auth_verbose_passwords and the events", cat(readFixture(t, "sha1.log", ""), readFixture(t, "sha1-http.jsonl", "")), truth},
		{"the events and auth_verbose_passwords", cat(readFixture(t, "sha1-http.jsonl", ""), readFixture(t, "sha1.log", "")), truth},
		{"the events as mailcop-tail records", tailRecords(readFixture(t, "sha1-http.jsonl", "")), truth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, warns := parseAll(t, testConfig(), tt.lines...)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			if got := perAddress(recs); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func tailRecords(lines []string) []string {
	var out []string
	for _, l := range lines {
		r := record.Record{File: "http://127.0.0.1:8514/", Line: l}
		out = append(out, string(r.AppendJSON(nil)))
	}
	return out
}

// The fields of a record come from the event: the verdict's time, the
// passdb's reason, the session, and the exporter's hostname.
func TestExporterRecord(t *testing.T) {
	recs, _ := parseAll(t, testConfig(), readFixture(t, "default-http.jsonl", "")...)
	if len(recs) == 0 {
		t.Fatal("no records")
	}
	r := recs[0]
	want := record.Record{Time: "2026-12-04T14:29:50.177390+00:00", Host: "mx1", Daemon: "dovecot", Service: "imap", Event: "auth",
		Outcome: "failure", Reason: "password_mismatch", User: "joe@example.com", IP: "203.0.113.7", Method: "PLAIN",
		Session: "uXtstc9hQJzLAHEH", Attempts: 1}
	if fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
	reasons := map[string]int{}
	for _, r := range recs {
		reasons[r.Reason]++
	}
	// Two verdicts came in after their request (events arrive in any
	// order): those failures keep the reason unknown.
	if reasons["password_mismatch"] != 1 || reasons["unknown_user"] != 1 || reasons["auth_failed"] != 3 {
		t.Errorf("reasons %v", reasons)
	}
}

// Events the rule must read right that the fixtures lack: 2.4's
// login_aborted, dovecot's internal failures, postfix's SASL requests,
// and events that are not about authentication.
func TestExporterEvents(t *testing.T) {
	const (
		finished = `{"event":"auth_request_finished","hostname":"mx1","end_time":"2026-12-04T10:00:%02d.000001Z","fields":{"mechanism":"PLAIN","service":"%s","session":"%s","remote_ip":"%s","user":"%s"%s}}`
		aborted  = `{"event":"login_aborted","hostname":"mx1","end_time":"2026-12-04T10:00:%02d.5Z","fields":{"service":"imap","session":"%s","remote_ip":"%s","user":"%s","reason":"auth_failed","auth_successes":0,"auth_attempts":%d,"auth_usecs":%d}}`
	)
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"2.4's login_aborted adds what the events did not count", []string{
			fmt.Sprintf(finished, 1, "imap", "S24aaaaaaaaaaaaaaaaaaa", "192.0.2.10", "a", ""),
			fmt.Sprintf(aborted, 3, "S24aaaaaaaaaaaaaaaaaaa", "192.0.2.10", "a", 3, 2500000),
		}, "192.0.2.10=3 logins=0"},
		{"login_aborted after every attempt's event adds nothing", []string{
			fmt.Sprintf(finished, 1, "imap", "S24aaaaaaaaaaaaaaaaaaa", "192.0.2.10", "a", ""),
			fmt.Sprintf(finished, 2, "imap", "S24aaaaaaaaaaaaaaaaaaa", "192.0.2.10", "b", ""),
			fmt.Sprintf(aborted, 3, "S24aaaaaaaaaaaaaaaaaaa", "192.0.2.10", "b", 2, 2500000),
		}, "192.0.2.10=2 logins=0"},
		{"an internal failure is a temporary failure", []string{
			fmt.Sprintf(finished, 1, "imap", "S24bbbbbbbbbbbbbbbbbbb", "192.0.2.11", "a", `,"error":"internal failure"`),
		}, "192.0.2.11=1 logins=0"},
		{"postfix's request and postfix's warning are one attempt", []string{
			fmt.Sprintf(finished, 1, "smtp", "", "192.0.2.12", "a", ""),
			"Dec  4 10:00:02 mx1 postfix/submission/smtpd[4001]: warning: unknown[192.0.2.12]: SASL PLAIN authentication failed: authentication failure, sasl_username=a",
			"Dec  4 10:00:02 mx1 postfix/submission/smtpd[4001]: disconnect from unknown[192.0.2.12] ehlo=1 auth=0/1 quit=1 commands=2/3",
		}, "192.0.2.12=1 logins=0"},
		{"a login logged by both is one login", []string{
			fmt.Sprintf(finished, 1, "imap", "S24ccccccccccccccccccc", "192.0.2.13", "a", `,"success":"yes"`),
			"Dec  4 10:00:01 mx1 dovecot: imap-login: Login: user=<a>, method=PLAIN, rip=192.0.2.13, lip=192.0.2.1, mpid=4101, TLS, session=<S24ccccccccccccccccccc>",
		}, "logins=1"},
		{"a login logged by both, the log first, is one login", []string{
			// Before the exporter's first event the log's logins are only
			// listed; the one of 10:00:02 must still find its twin, as must
			// the one of 09:55, listed before the generations turned (at
			// 10:00:02, memory after the first line).
			"Dec  4 09:50:00 mx1 dovecot: imap-login: Login: user=<d>, method=PLAIN, rip=192.0.2.17, lip=192.0.2.1, mpid=4099, TLS, session=<S24ddddddddddddddddddd>",
			"Dec  4 09:55:00 mx1 dovecot: imap-login: Login: user=<b>, method=PLAIN, rip=192.0.2.15, lip=192.0.2.1, mpid=4100, TLS, session=<S24eeeeeeeeeeeeeeeeeee>",
			"Dec  4 10:00:02 mx1 dovecot: imap-login: Login: user=<a>, method=PLAIN, rip=192.0.2.13, lip=192.0.2.1, mpid=4101, TLS, session=<S24ccccccccccccccccccc>",
			fmt.Sprintf(finished, 2, "imap", "S24ccccccccccccccccccc", "192.0.2.13", "a", `,"success":"yes"`),
			fmt.Sprintf(finished, 3, "imap", "S24eeeeeeeeeeeeeeeeeee", "192.0.2.15", "b", `,"success":"yes"`),
			fmt.Sprintf(finished, 4, "imap", "S24fffffffffffffffffff", "192.0.2.16", "c", `,"success":"yes"`),
		}, "logins=4"},
		{"no client address: doveadm auth test, not an attempt", []string{
			`{"event":"auth_request_finished","hostname":"mx1","end_time":"2026-12-04T10:00:01Z","fields":{"mechanism":"PLAIN","service":"doveadm","user":"a"}}`,
		}, "logins=0"},
		{"a userdb look-up (no mechanism) is not an attempt", []string{
			`{"event":"auth_request_finished","hostname":"mx1","end_time":"2026-12-04T10:00:01Z","fields":{"service":"lmtp","remote_ip":"192.0.2.25","user":"a","session":"lmtpS24dddddddddddddd:T1"}}`,
		}, "logins=0"},
		{"other events are not read", []string{
			`{"event":"imap_command_finished","hostname":"mx1","end_time":"2026-12-04T10:00:01Z","fields":{"remote_ip":"192.0.2.14","user":"a","cmd_name":"LOGIN"}}`,
		}, "logins=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Unmatched = true
			recs, warns := parseAll(t, cfg, tt.lines...)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			for _, r := range recs {
				if r.Event == "unmatched" {
					t.Errorf("unmatched: %s", r.Line)
				}
			}
			if got := perAddress(recs); got != tt.want {
				t.Errorf("got %s, want %s\n%+v", got, tt.want, recs)
			}
		})
	}
	recs, _ := parseAll(t, testConfig(), fmt.Sprintf(finished, 1, "imap", "S24bbbbbbbbbbbbbbbbbbb", "192.0.2.11", "a", `,"error":"internal failure"`))
	if len(recs) != 1 || recs[0].Reason != "temporary_failure" {
		t.Errorf("internal failure: %+v", recs)
	}
}

// An event that talks about auth and cannot be read is unmatched, named,
// never a record of an attempt; hostile text stays data.
func TestExporterBadEvents(t *testing.T) {
	cfg := testConfig()
	cfg.Unmatched = true
	lines := []string{
		`{"event":"auth_request_finished","hostname":"mx1","fields":{"remote_ip":["203.0.113.1"],"user":"a"}}`,
		`{"event":"auth_request_finished","hostname":"mx1","fields":{"remote_ip":"not an address","user":"a"}}`,
		`{"event":"auth_request_finished","hostname":"mx1","fields":{"remote_ip":"203.0.113.2","user":"a\u001b[2J\"}`,
	}
	recs, warns := parseAll(t, cfg, lines...)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	var unmatched int
	for _, r := range recs {
		if r.Event == "unmatched" {
			unmatched++
		} else {
			t.Errorf("record from a bad event: %+v", r)
		}
	}
	if unmatched != len(lines) {
		t.Errorf("%d unmatched, want %d", unmatched, len(lines))
	}
}

// The events' time is in the zone of -tz, with their microseconds.
func TestExporterTime(t *testing.T) {
	cfg := testConfig()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zoneinfo")
	}
	cfg.Location = paris
	recs, _ := parseAll(t, cfg, `{"event":"auth_request_finished","hostname":"mx1","end_time":"2026-12-04T10:00:01.250000Z","fields":{"mechanism":"PLAIN","remote_ip":"203.0.113.2","user":"a"}}`)
	if len(recs) != 1 || recs[0].Time != "2026-12-04T11:00:01.250000+01:00" {
		t.Errorf("got %+v", recs)
	}
}

// postfix's SASL requests to a real dovecot 2.3.19 (testdata/exporter/
// smtp-sasl.log: one wrong password, then the right one, from
// 198.51.100.23), and the lines postfix logs for them: the events carry no
// session, and pair with postfix's warning and login line by address and
// user.
func TestExporterPostfixRequests(t *testing.T) {
	inLog := readFixture(t, "smtp-sasl.log", "")
	// As the http-post or unix driver sends them: the host is the
	// event's hostname, the one syslog gives postfix's lines.
	var events []string
	for _, l := range inLog {
		events = append(events, l[strings.Index(l, "{"):])
	}
	postfix := []string{
		"Dec  4 14:52:27 mx1 postfix/submission/smtpd[4101]: warning: unknown[198.51.100.23]: SASL PLAIN authentication failed: authentication failure, sasl_username=joe@example.com",
		"Dec  4 14:52:33 mx1 postfix/submission/smtpd[4101]: 4F1A2B3C4D: client=unknown[198.51.100.23], sasl_method=PLAIN, sasl_username=joe@example.com",
		"Dec  4 14:52:34 mx1 postfix/submission/smtpd[4101]: disconnect from unknown[198.51.100.23] ehlo=1 auth=1/2 mail=1 rcpt=1 data=1 quit=1 commands=6/7",
	}
	for _, tt := range []struct {
		name  string
		lines []string
	}{
		{"the events in dovecot's log", inLog},
		{"the events alone", events},
		{"postfix alone", postfix},
		{"the events, then postfix", append(append([]string(nil), events...), postfix...)},
		{"postfix, then the events", append(append([]string(nil), postfix...), events...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, warns := parseAll(t, testConfig(), tt.lines...)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			if got := perAddress(recs); got != "198.51.100.23=1 logins=1" {
				t.Errorf("got %s\n%+v", got, recs)
			}
		})
	}
}

// Through syslog the exporter's log transport writes "dovecot: stats:
// {...}", and journald keeps it as the message of ident dovecot.
func TestExporterThroughSyslog(t *testing.T) {
	events := readFixture(t, "sha1-http.jsonl", "")
	var syslog, journal []string
	for _, e := range events {
		syslog = append(syslog, "Dec  4 14:34:30 mx1 dovecot: stats: "+e)
		msg := string(record.AppendString(nil, "stats: "+e))
		journal = append(journal, `{"__REALTIME_TIMESTAMP":"1796394870000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"dovecot","_PID":"700","MESSAGE":`+msg+`}`)
	}
	for name, lines := range map[string][]string{"syslog": syslog, "journal": journal} {
		recs, warns := parseAll(t, testConfig(), lines...)
		if len(warns) > 0 {
			t.Errorf("%s: warnings: %v", name, warns)
		}
		if got := perAddress(recs); got != "127.0.0.1=1 2001:db8::66=2 203.0.113.7=2 logins=1" {
			t.Errorf("%s: got %s", name, got)
		}
		for _, r := range recs {
			if r.Host != "mx1" || !strings.HasPrefix(r.Time, "2026-12-04T14:34:") || !strings.Contains(r.Time, ".") {
				t.Errorf("%s: host %q time %q", name, r.Host, r.Time)
			}
		}
	}
}

// dovecot 2.4.1's login_aborted behind a trusted proxy names the proxy's
// address and no session: the connection's auth requests name the client
// and share the proxy's port with it, so the summary is the client's and
// adds nothing to the attempts its requests already counted.
func TestExporterProxiedLoginAborted(t *testing.T) {
	recs, warns := parseAll(t, testConfig(), readFixture(t, "proxied-2.4.jsonl", "")...)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	if got := perAddress(recs); got != "45.155.205.99=2 80.82.78.104=1 logins=0" {
		t.Errorf("got %s\n%+v", got, recs)
	}
}
