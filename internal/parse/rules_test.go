package parse

import (
	"bytes"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// fieldCase is one line and the fields its single failure record must
// carry; ip "" means the line must give no failure at all.
type fieldCase struct {
	name, line    string
	ip, user, why string
	attempts      int
	session, meth string
}

func checkFields(t *testing.T, tests []fieldCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs, warns := parseAll(t, testConfig(), tt.line)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			var fails []int
			for i, r := range recs {
				if r.Outcome == "failure" {
					fails = append(fails, i)
				}
			}
			if tt.ip == "" {
				if len(fails) > 0 {
					t.Fatalf("want no failure, got %+v", recs)
				}
				return
			}
			if len(fails) != 1 {
				t.Fatalf("want one failure record, got %+v", recs)
			}
			r := recs[fails[0]]
			want := max(tt.attempts, 1)
			if r.IP != tt.ip || r.User != tt.user || r.Attempts != want ||
				tt.why != "" && r.Reason != tt.why || r.Session != tt.session || tt.meth != "" && r.Method != tt.meth {
				t.Errorf("got ip %q user %q reason %q attempts %d session %q method %q\nwant ip %q user %q reason %q attempts %d session %q method %q",
					r.IP, r.User, r.Reason, r.Attempts, r.Session, r.Method, tt.ip, tt.user, tt.why, want, tt.session, tt.meth)
			}
		})
	}
}

var manyUsers = strings.Repeat("x rhost=6.6.6.6  user=", maxPAMSplits) + "x"

const pamHead = "Nov 25 06:40:00 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot "

// PAM's line names the user twice (ruser= and user=) around the address;
// a username imitating the fields after it must not choose the address.
func TestPAMAddressIsDovecots(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "pam_unix, existing account", line: pamHead + "ruser=joe rhost=203.0.113.73  user=joe", ip: "203.0.113.73", user: "joe"},
		{name: "pam_unix, unknown account", line: pamHead + "ruser=joe rhost=203.0.113.73", ip: "203.0.113.73", user: "joe"},
		{name: "username with a trailing rhost", line: pamHead + "ruser=x rhost=6.6.6.6 rhost=203.0.113.73  user=x rhost=6.6.6.6", ip: "203.0.113.73", user: "x rhost=6.6.6.6"},
		{name: "username with rhost and user=", line: pamHead + "ruser=a rhost=6.6.6.6  user=b rhost=203.0.113.73  user=a rhost=6.6.6.6  user=b", ip: "203.0.113.73", user: "a rhost=6.6.6.6  user=b"},
		{name: "username with user= and rhost", line: pamHead + "ruser=a  user=b rhost=6.6.6.6 rhost=203.0.113.73  user=a  user=b rhost=6.6.6.6", ip: "203.0.113.73", user: "a  user=b rhost=6.6.6.6"},
		{name: "IPv6 client", line: pamHead + "ruser=x rhost=::1 rhost=2001:db8::73  user=x rhost=::1", ip: "2001:db8::73", user: "x rhost=::1"},
		{name: "empty ruser", line: pamHead + "ruser= rhost=203.0.113.73  user=x rhost=6.6.6.6", ip: "203.0.113.73", user: "x rhost=6.6.6.6"},
		// Unexplained by any split: not read, rather than read wrong.
		{name: "user= that is no copy of ruser", line: pamHead + "ruser=a rhost=203.0.113.73  user=b rhost=6.6.6.6"},
		{name: "pam_sss", line: "Nov 25 06:40:00 mx1 dovecot: auth-worker(77): pam_sss(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=x rhost=6.6.6.6 rhost=203.0.113.74 user=x rhost=6.6.6.6", ip: "203.0.113.74", user: "x rhost=6.6.6.6"},
		// More copies of " user=" than splits are tried: hidden, not moved.
		{name: "username full of user=", line: pamHead + "ruser=" + manyUsers + " rhost=203.0.113.73  user=" + manyUsers},
		{name: "pam_unix with no_new_privs", line: pamHead + "ruser=x rhost=6.6.6.6 rhost=203.0.113.73 user=x rhost=6.6.6.6, no_new_privs=1", ip: "203.0.113.73", user: "x rhost=6.6.6.6"},
		{name: "pam service named after the protocol", line: "Nov 25 06:40:00 mx1 auth: pam_unix(imap:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=ann rhost=203.0.113.75  user=ann", ip: "203.0.113.75", user: "ann"},
		// Modules that name no address: dovecot's pam(...) line counts them.
		{name: "pam_sss result", line: "Nov 25 06:40:00 mx1 auth: pam_sss(dovecot:auth): received for user ann: 7 (Authentication failure)"},
		{name: "pam_ldap", line: "Nov 25 06:40:00 mx1 auth: pam_ldap(dovecot:auth): Authentication failure; user=ann"},
		{name: "pam_winbind", line: "Nov 25 06:40:00 mx1 auth: pam_winbind(dovecot:auth): user 'ann' denied access (incorrect password or invalid membership)"},
	})
}

// The attack of the PAM line, fed with dovecot's own pam(...) line for
// the same attempt: one attempt, from the attacker's address.
func TestPAMTwinOfHostileUser(t *testing.T) {
	var lines []string
	for range 25 {
		lines = append(lines,
			pamHead+"ruser=x rhost=6.6.6.6 rhost=203.0.113.76  user=x rhost=6.6.6.6",
			"Nov 25 06:40:01 mx1 dovecot: auth-worker(304): pam(x rhost=6.6.6.6,203.0.113.76): pam_authenticate() failed: Authentication failure (password mismatch?)",
		)
	}
	recs, _ := parseAll(t, testConfig(), lines...)
	for _, r := range recs {
		if r.IP != "203.0.113.76" {
			t.Fatalf("attempt from %s, want 203.0.113.76: %+v", r.IP, r)
		}
	}
	if got := sumAttempts(recs); got != 25 {
		t.Errorf("got %d attempts, want 25", got)
	}
}

// A username may hold " (given password:", and a logged clear password
// anything: the verdict is where dovecot wrote it, and a line that reads
// two ways, with two addresses, is not read.
func TestGivenPasswordInUserText(t *testing.T) {
	const head = "Nov 25 06:41:00 mx1 dovecot: auth: "
	checkFields(t, []fieldCase{
		{name: "marker in the username", line: head + "sql(x (given password: y,203.0.113.80,<S1>): Password mismatch",
			ip: "203.0.113.80", user: "x (given password: y", why: "password_mismatch", session: "S1"},
		{name: "marker in the username and a logged password", line: head + "sql(x (given password: y,203.0.113.80,<S1>): Password mismatch (given password: hunter2)",
			ip: "203.0.113.80", user: "x (given password: y", why: "password_mismatch", session: "S1"},
		{name: "2.4 form", line: head + "auth(x (given password: y,203.0.113.81,sasl:plain)<S2>: sql: unknown user (given password: pw)",
			ip: "203.0.113.81", user: "x (given password: y", why: "unknown_user", session: "S2", meth: "PLAIN"},
		{name: "pam with debug_passwords", line: "Nov 25 06:41:00 mx1 dovecot: auth-worker(3): pam(x (given password: y,203.0.113.82): pam_authenticate() failed: Authentication failure (password mismatch?) (given password: pw)",
			ip: "203.0.113.82", user: "x (given password: y", why: "password_mismatch"},
		{name: "fake verdict and address in the username", line: head + "sql(a,6.6.6.6): unknown user (given password: x,203.0.113.83,<S3>): Password mismatch",
			ip: "203.0.113.83", user: "a,6.6.6.6): unknown user (given password: x", why: "password_mismatch", session: "S3"},
		{name: "next passdb", line: head + "sql(x (given password: y,203.0.113.84): unknown user (given password: pw) - trying the next passdb",
			ip: "203.0.113.84", user: "x (given password: y", why: "unknown_user"},
		// Username and password both the client's: two readings, two
		// addresses, and nothing tells which is dovecot's.
		{name: "username and password imitating each other", line: head + "sql(a,6.6.6.6): unknown user (given password: x,203.0.113.85,<S4>): Password mismatch (given password: pw)"},
		{name: "password imitating a verdict and an address", line: head + "sql(u,203.0.113.86,<S5>): Password mismatch (given password: x,6.6.6.6): unknown user (given password: y)"},
	})
}

// The clear password is hidden under -raw even without the space dovecot
// writes after the colon.
func TestHidePasswordWithoutSpace(t *testing.T) {
	cfg := testConfig()
	cfg.Raw = true
	recs, _ := parseAll(t, cfg, "Nov 25 06:41:00 mx1 dovecot: auth: sql(u,203.0.113.87,<S6>): Password mismatch (given password:Hunter2)")
	if len(recs) != 1 {
		t.Fatalf("want one record, got %+v", recs)
	}
	if j := string(recs[0].AppendJSON(nil)); strings.Contains(j, "Hunter2") || !strings.Contains(j, "(given password: <hidden>)") {
		t.Errorf("password not hidden: %s", j)
	}
}

// A line with NUL bytes, in any input form, is skipped and named, never
// read into a record.
func TestNULLineNamed(t *testing.T) {
	const auth = "auth: passwd-file(j\x00o,203.0.113.91): unknown user"
	for name, in := range map[string]string{
		"plain":       "Nov 25 06:28:00 mx1 dovecot: " + auth,
		"tail record": `{"file":"/var/log/mail.log","line":"Nov 25 06:28:00 mx1 dovecot: auth: passwd-file(j\u0000o,203.0.113.91): unknown user"}`,
		"journal":     `{"__REALTIME_TIMESTAMP":"1795587001000000","SYSLOG_IDENTIFIER":"dovecot","MESSAGE":` + byteArrayJSON(auth) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			recs, warns := parseAll(t, testConfig(), "Nov 25 06:27:00 mx1 dovecot: auth: passwd-file(ann,203.0.113.90): unknown user", in)
			if len(recs) != 1 || recs[0].IP != "203.0.113.90" {
				t.Errorf("want only the good line's record, got %+v", recs)
			}
			if len(warns) != 1 || warns[0] != "test.log:2: line with NUL bytes skipped" {
				t.Errorf("warnings %q, want the line named", warns)
			}
		})
	}
}

// journald entries re-encoded with spaces after the colons (jq, log
// shippers) are read as journalctl's own.
func TestJournalSpaced(t *testing.T) {
	msg := "auth: passwd-file(j\xe9r\xf4me,203.0.113.92): unknown user"
	for _, in := range []string{
		`{"__REALTIME_TIMESTAMP": "1795587001000000", "SYSLOG_IDENTIFIER": "dovecot", "MESSAGE": ` + byteArrayJSON(msg) + `}`,
		`{"__REALTIME_TIMESTAMP" : "1795587001000000", "SYSLOG_IDENTIFIER" : "dovecot", "MESSAGE" : ` + byteArrayJSON(msg) + `}`,
	} {
		recs, warns := parseAll(t, testConfig(), in)
		if len(warns) > 0 || len(recs) != 1 || recs[0].IP != "203.0.113.92" || recs[0].User != "j\uFFFDr\uFFFDme" {
			t.Errorf("%s:\ngot %+v, warnings %q", in, recs, warns)
		}
	}
	// A journald entry about something else is not decoded, and not an
	// error either.
	recs, warns := parseAll(t, testConfig(), `{"__REALTIME_TIMESTAMP": "1795587001000000", "SYSLOG_IDENTIFIER": "cron", "MESSAGE": "(root) CMD (run-parts)"}`)
	if len(recs)+len(warns) > 0 {
		t.Errorf("got %+v, warnings %q", recs, warns)
	}
}

// Auth-process prefixes of real installations: 2.4's auth-worker with its
// pid and request number, master logins, and the look-ups of LMTP
// deliveries, whose session ids carry transaction and recipient suffixes.
func TestAuthPrefixes(t *testing.T) {
	const head = "Nov 25 06:42:00 mx1 dovecot: "
	checkFields(t, []fieldCase{
		{name: "2.4 auth-worker with session", line: head + "auth-worker(31326): auth-worker(oracle,2001:db8:5::9,sasl:plain)<31326><kJ3mL9x2AQDGM2Zk>: request [12]: pam: pam_authenticate() failed: Authentication failure (password mismatch?)",
			ip: "2001:db8:5::9", user: "oracle", why: "password_mismatch", session: "kJ3mL9x2AQDGM2Zk", meth: "PLAIN"},
		{name: "2.4 auth-worker without session", line: head + "auth-worker(31326): Info: auth-worker(ann,203.0.113.100,sasl:login)<31326>: request [3]: sql: Password mismatch",
			ip: "203.0.113.100", user: "ann", why: "password_mismatch", meth: "LOGIN"},
		{name: "2.4 auth-worker, username imitating the prefix", line: head + "auth-worker(31326): auth-worker(a,6.6.6.6)<1><S>: request [1]: sql,203.0.113.101,sasl:plain)<31326><S9>: request [4]: sql: unknown user",
			ip: "203.0.113.101", user: "a,6.6.6.6)<1><S>: request [1]: sql", why: "unknown_user", session: "S9", meth: "PLAIN"},
		{name: "2.3 master login", line: head + "auth: sql(ann,203.0.113.102,master,<S8>): Password mismatch",
			ip: "203.0.113.102", user: "ann", why: "password_mismatch", session: "S8"},
		{name: "2.4 master login", line: head + "auth: auth(ann,203.0.113.103,sasl:plain,master)<S7>: sql: Password mismatch",
			ip: "203.0.113.103", user: "ann", why: "password_mismatch", session: "S7", meth: "PLAIN"},
		{name: "lmtp second transaction", line: head + "auth: passwd-file(bob,127.0.0.1,<IFbhKjxXf2NzQQAAgj8fXA:T2>): unknown user"},
		{name: "lmtp second recipient", line: head + "auth: passwd-file(bob,::1,<IFbhKjxXf2NzQQAAgj8fXA:T2:R3>): unknown user"},
		{name: "lmtp quota check", line: head + "auth: passwd-file(bob,127.0.0.1,<IFbhKjxXf2NzQQAAgj8fXA:R2:quota>): unknown user"},
		{name: "2.4 lmtp recipient", line: head + "auth: auth(bob,127.0.0.1)<IFbhKjxXf2NzQQAAgj8fXA:R2>: passwd-file: unknown user"},
	})
}

// A username with a character outside auth_username_chars is refused
// before any passdb: still an attempt, from the address in dovecot's
// prefix, never one the username names.
func TestUsernameCharsDisallowed(t *testing.T) {
	const head = "Nov 25 06:43:00 mx1 dovecot: auth: "
	checkFields(t, []fieldCase{
		{name: "2.3", line: head + "plain(?,203.0.113.110,<kJ3mL9x2AQDGM2Zk>): Username character disallowed by auth_username_chars: 0x3e (username: x>y)",
			ip: "203.0.113.110", user: "x>y", why: "username_disallowed", session: "kJ3mL9x2AQDGM2Zk", meth: "PLAIN"},
		{name: "2.3 without session (postfix's SASL request)", line: head + "login(?,2001:db8::110): Username character disallowed by auth_username_chars: 0x20 (username: a b)",
			ip: "2001:db8::110", user: "a b", why: "username_disallowed", meth: "LOGIN"},
		{name: "2.4", line: head + "auth(?,203.0.113.111,sasl:plain)<S2>: plain: Username character disallowed by auth_username_chars: 0x3e (username: x>y)",
			ip: "203.0.113.111", user: "x>y", why: "username_disallowed", session: "S2", meth: "PLAIN"},
		{name: "2.4 authorization id", line: head + "auth(ann,203.0.113.112,sasl:plain)<S3>: plain: login user: Username character disallowed by auth_username_chars: 0x2c (username: b,c)",
			ip: "203.0.113.112", user: "b,c", why: "username_disallowed", session: "S3", meth: "PLAIN"},
		{name: "username repeating the whole line", line: head + "plain(?,203.0.113.113,<S4>): Username character disallowed by auth_username_chars: 0x29 (username: a,6.6.6.6): Username character disallowed by auth_username_chars: 0x3e (username: b)",
			ip: "203.0.113.113", user: "a,6.6.6.6): Username character disallowed by auth_username_chars: 0x3e (username: b", why: "username_disallowed", session: "S4", meth: "PLAIN"},
	})
}

// With the login summary of its session, the refused username is one
// attempt, not two.
func TestUsernameCharsWithSummary(t *testing.T) {
	recs, _ := parseAll(t, testConfig(),
		"Nov 25 06:43:00 mx1 dovecot: auth: plain(?,203.0.113.114,<S5S5S5S5>): Username character disallowed by auth_username_chars: 0x3e (username: x>y)",
		"Nov 25 06:43:02 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>y>, method=PLAIN, rip=203.0.113.114, lip=192.0.2.1, session=<S5S5S5S5>",
	)
	if got := sumAttempts(recs); got != 1 {
		t.Errorf("got %d attempts, want 1: %+v", got, recs)
	}
}

// Shapes of real installations: a second dovecot instance logging under
// its instance_name, and the login processes' own refusals at
// auth_verbose (2.3.21's "Plaintext", 2.4's "Cleartext").
func TestDovecotShapes(t *testing.T) {
	checkFields(t, []fieldCase{
		{name: "instance_name as syslog ident", line: "Nov 25 06:44:00 mx1 dovecot-ext[811]: imap-login: Disconnected (auth failed, 2 attempts in 5 secs): user=<ann>, method=PLAIN, rip=203.0.113.120, lip=192.0.2.1, session=<Q1Q1Q1Q1>",
			ip: "203.0.113.120", user: "ann", why: "auth_failed", attempts: 2, session: "Q1Q1Q1Q1", meth: "PLAIN"},
		{name: "instance_name, auth process", line: "Nov 25 06:44:00 mx1 imapproxy: auth-worker(812): sql(ann,203.0.113.121,<Q2Q2Q2Q2>): Password mismatch",
			ip: "203.0.113.121", user: "ann", why: "password_mismatch", session: "Q2Q2Q2Q2"},
		{name: "2.3 plaintext refused", line: "Nov 25 06:44:00 mx1 dovecot: imap-login: Login failed: Plaintext authentication disabled: user=<>, rip=203.0.113.122, lip=192.0.2.1, session=<Q3Q3Q3Q3>",
			ip: "203.0.113.122", why: "plaintext_disabled", session: "Q3Q3Q3Q3"},
		{name: "2.4 cleartext refused", line: "2026-11-25T06:44:00+00:00 mx1 dovecot[442]: pop3-login: Login failed: Cleartext authentication disabled: user=<bob>, rip=2001:db8::122, lip=2001:db8::1, session=<Q4Q4Q4Q4>",
			ip: "2001:db8::122", user: "bob", why: "plaintext_disabled", session: "Q4Q4Q4Q4"},
		{name: "SSL required", line: "Nov 25 06:44:00 mx1 dovecot: imap-login: Login failed: SSL required for authentication: user=<>, rip=203.0.113.123, lip=192.0.2.1, session=<Q5Q5Q5Q5>",
			ip: "203.0.113.123", why: "ssl_required", session: "Q5Q5Q5Q5"},
		// Not dovecot's, whatever the message says.
		{name: "another program's message", line: "Nov 25 06:44:00 mx1 sshd[99]: Disconnected (auth failed, 3 attempts in 16 secs): user=<root>, method=PLAIN, rip=203.0.113.124"},
		{name: "postfix tag", line: "Nov 25 06:44:00 mx1 postfix/smtpd[9]: imap-login: Disconnected (auth failed, 3 attempts in 16 secs): user=<root>, method=PLAIN, rip=203.0.113.125"},
	})
}

// A refused plaintext login and its session's summary are one attempt;
// refused and then logged in over TLS, the attempt stays.
func TestRefusedLoginCountsOnce(t *testing.T) {
	recs, _ := parseAll(t, testConfig(),
		"Nov 25 06:44:00 mx1 dovecot: imap-login: Login failed: Plaintext authentication disabled: user=<>, rip=203.0.113.126, lip=192.0.2.1, session=<Q6Q6Q6Q6>",
		"Nov 25 06:44:01 mx1 dovecot: imap-login: Disconnected (tried to use disallowed plaintext auth): user=<>, rip=203.0.113.126, lip=192.0.2.1, session=<Q6Q6Q6Q6>",
		"2026-11-25T06:44:02+00:00 mx1 dovecot[442]: imap-login: Login failed: Cleartext authentication disabled: user=<>, rip=203.0.113.127, lip=192.0.2.1, session=<Q7Q7Q7Q7>",
		"2026-11-25T06:44:03+00:00 mx1 dovecot[442]: imap-login: Login aborted: Connection closed (tried to use disallowed cleartext auth, 1 attempts in 1 secs) (cleartext_auth_disabled): user=<>, rip=203.0.113.127, lip=192.0.2.1, session=<Q7Q7Q7Q7>",
		"Nov 25 06:44:04 mx1 dovecot: imap-login: Login failed: Plaintext authentication disabled: user=<>, rip=203.0.113.128, lip=192.0.2.1, session=<Q8Q8Q8Q8>",
		"Nov 25 06:44:06 mx1 dovecot: imap-login: Login: user=<carol>, method=PLAIN, rip=203.0.113.128, lip=192.0.2.1, mpid=9, TLS, session=<Q8Q8Q8Q8>",
	)
	per := map[string]int{}
	logins := 0
	for _, r := range recs {
		if r.Outcome == "failure" {
			per[r.IP] += r.Attempts
		} else {
			logins++
		}
	}
	if per["203.0.113.126"] != 1 || per["203.0.113.127"] != 1 || per["203.0.113.128"] != 1 || logins != 1 {
		t.Errorf("attempts per address %v and %d logins, want 1 each and 1 login: %+v", per, logins, recs)
	}
}

// postfix with smtpd_client_port_logging = yes writes "[addr]:port" in
// every line, logins included; an SMTP login that sends no mail leaves
// only "auth=1" at disconnect, and that is a login too.
func TestPostfixShapes(t *testing.T) {
	recs, warns := parseAll(t, testConfig(),
		"Nov 25 06:45:01 mx1 postfix/submission/smtpd[4005]: 4F1A2B3C4E: client=unknown[203.0.113.130]:53122, sasl_method=PLAIN, sasl_username=ann@example.com",
		"Nov 25 06:45:02 mx1 postfix/submission/smtpd[4005]: disconnect from unknown[203.0.113.130]:53122 ehlo=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=6",
		"Nov 25 06:45:03 mx1 postfix/submission/smtpd[4006]: disconnect from unknown[203.0.113.131]:53123 ehlo=2 starttls=1 auth=1 quit=1 commands=5",
		"Nov 25 06:45:04 mx1 postfix/submission/smtpd[4007]: warning: unknown[2001:db8::132]:53124: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
		"Nov 25 06:45:05 mx1 postfix/submission/smtpd[4007]: disconnect from unknown[2001:db8::132]:53124 ehlo=1 auth=0/1 quit=1 commands=2/3",
		"Nov 25 06:45:06 mx1 postfix/smtpd[4008]: disconnect from mail.example.net[198.51.100.90]:25 ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
	)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Outcome+" "+r.IP+" "+r.User+" "+r.Method)
	}
	want := []string{
		"success 203.0.113.130 ann@example.com PLAIN",
		"success 203.0.113.131  ",
		"failure 2001:db8::132  LOGIN",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// hostileForms are the lines where a client's text (the username, and a
// logged clear password) sits before fields dovecot or postfix write
// after it. USER is the username as the line carries it, PW the password;
// the client's address is always realIP, and want is the reason the
// daemon's own text gives.
var hostileForms = []struct{ line, want string }{
	{"Nov 25 07:00:00 mx1 dovecot: auth: sql(USER,203.0.113.200,<S1S1S1S1>): Password mismatch", "password_mismatch"},
	{"Nov 25 07:00:00 mx1 dovecot: auth: sql(USER,203.0.113.200,<S1S1S1S1>): unknown user (given password: PW)", "unknown_user"},
	{"Nov 25 07:00:00 mx1 dovecot: auth: auth(USER,203.0.113.200,sasl:plain)<S1S1S1S1>: sql: Password mismatch (given password: PW)", "password_mismatch"},
	{"Nov 25 07:00:00 mx1 dovecot: auth-worker(9): auth-worker(USER,203.0.113.200,sasl:login)<9><S1S1S1S1>: request [3]: ldap: unknown user", "unknown_user"},
	{"Nov 25 07:00:00 mx1 dovecot: auth-worker(9): pam(USER,203.0.113.200): pam_authenticate() failed: Authentication failure (password mismatch?) (given password: PW)", "password_mismatch"},
	{"Nov 25 07:00:00 mx1 dovecot: auth: plain(?,203.0.113.200,<S1S1S1S1>): Username character disallowed by auth_username_chars: 0x3e (username: RAW)", "username_disallowed"},
	{"Nov 25 07:00:00 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=RAW rhost=203.0.113.200  user=RAW", "auth_failed"},
	{"Nov 25 07:00:00 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=RAW rhost=203.0.113.200", "auth_failed"},
	{"Nov 25 07:00:00 mx1 auth: pam_sss(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=RAW rhost=203.0.113.200 user=RAW", "auth_failed"},
	{"Nov 25 07:00:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<USER>, method=PLAIN, rip=203.0.113.200, lip=192.0.2.1, TLS, session=<S1S1S1S1>", "auth_failed"},
	{"2026-11-25T07:00:00+00:00 mx1 dovecot[442]: imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): user=<USER>, method=PLAIN, rip=203.0.113.200, lip=192.0.2.1, session=<S1S1S1S1>", "auth_failed"},
	{"Nov 25 07:00:00 mx1 postfix/smtpd[77]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: authentication failure, sasl_username=RAW", "auth_failed"},
	{"Nov 25 07:00:00 mx1 dovecot: auth: auth(?,203.0.113.200,sasl:plain)<S1S1S1S1>: plain: Username character disallowed by auth_username_chars: 0x3e (username: RAW)", "username_disallowed"},
	{"Nov 25 07:00:00 mx1 dovecot: imap-login: Login failed: Plaintext authentication disabled: user=<USER>, rip=203.0.113.200, lip=192.0.2.1, session=<S1S1S1S1>", "plaintext_disabled"},
	{"Nov 25 07:00:00 mx1 dovecot-ext: auth: passwd-file(USER,203.0.113.200,master,<S1S1S1S1>): unknown user", "unknown_user"},
	{"Nov 25 07:00:00 mx1 auth: pam_unix(imap:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=RAW rhost=203.0.113.200 user=RAW, no_new_privs=1", "auth_failed"},
}

const realIP = "203.0.113.200"

// FuzzHostileUser puts client text into every line where it precedes
// daemon-written fields. Whatever the text, a record names the address
// and the reason the daemon wrote, and one line is at most one attempt:
// the client may hide its attempt (a line read two ways is not read) but
// never move it.
func FuzzHostileUser(f *testing.F) {
	for i := range hostileForms {
		for _, u := range []string{"x", "x rhost=6.6.6.6", "a rhost=6.6.6.6  user=b", "a,6.6.6.6): unknown user (given password: x",
			"x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, y", "a,6.6.6.6)<1><S>: request [1]: sql", "x (given password: y",
			"6.6.6.6", "a,6.6.6.6,master,<S>", "x]: SASL PLAIN authentication failed: y, sasl_username=z"} {
			f.Add(uint8(i), u, "hunter2")
		}
		f.Add(uint8(i), "a", "x,6.6.6.6): unknown user (given password: y")
	}
	f.Fuzz(func(t *testing.T, form uint8, user, pw string) {
		if strings.ContainsAny(user+pw, "\n\r\x00") {
			return // a line break makes two lines: another test's matter
		}
		fm := hostileForms[int(form)%len(hostileForms)]
		line := strings.NewReplacer("USER", dovecotSanitized(user), "RAW", user, "PW", pw).Replace(fm.line)
		cfg := testConfig()
		cfg.Raw = true
		recs, _ := parseAll(t, cfg, line)
		attempts := 0
		for _, r := range recs {
			if r.Outcome != "failure" {
				t.Fatalf("%s\ngave %+v", line, r)
			}
			if r.IP != realIP || r.Reason != fm.want {
				t.Errorf("%s\ngave ip %q reason %q, want %s %s", line, r.IP, r.Reason, realIP, fm.want)
			}
			if i := strings.Index(r.Line, "(given password:"); strings.Contains(fm.line, "PW") && (i < 0 || r.Line[i:] != "(given password: <hidden>)") {
				t.Errorf("%s\nclear password in the record's line %q", line, r.Line)
			}
			if len(pw) >= 4 && strings.Contains(r.User, pw) && !strings.Contains(user, pw) && !strings.Contains(dovecotSanitized(user), pw) {
				t.Errorf("%s\nthe password is in the user %q", line, r.User)
			}
			attempts += r.Attempts
		}
		if attempts > 1 {
			t.Errorf("%s\ngave %d attempts", line, attempts)
		}
	})
}

// A password holding more markers than cuts are tried is not read: the
// reading chosen could hold the password in its user.
func TestManyMarkersInPassword(t *testing.T) {
	pw := strings.Repeat("(given password: x)", maxPasswordCuts+1)
	recs, _ := parseAll(t, testConfig(), "Nov 25 07:01:00 mx1 dovecot: auth: sql(u,203.0.113.201,<S1>): Password mismatch (given password: "+pw+")")
	for _, r := range recs {
		if strings.Contains(r.User, "given password") {
			t.Errorf("password text in the user: %+v", r)
		}
	}
}

// PAM writes the username whole, dovecot cut to 64 bytes and with control
// characters as '?': the two lines of one attempt still pair.
func TestPAMTwinOfLongUser(t *testing.T) {
	long := strings.Repeat("attacker-", 9) + "x rhost=6.6.6.6"
	recs, _ := parseAll(t, testConfig(),
		pamHead+"ruser="+long+" rhost=203.0.113.77  user="+long,
		"Nov 25 06:40:01 mx1 dovecot: auth-worker(304): pam("+dovecotSanitized(long)+",203.0.113.77): pam_authenticate() failed: Authentication failure (password mismatch?)",
		pamHead+"ruser=tab\tbed rhost=203.0.113.77  user=tab\tbed",
		"Nov 25 06:40:01 mx1 dovecot: auth-worker(304): pam(tab?bed,203.0.113.77): pam_authenticate() failed: Authentication failure (password mismatch?)",
	)
	if got := sumAttempts(recs); got != 2 {
		t.Errorf("got %d attempts, want 2: %+v", got, recs)
	}
}

// testdata/real/dovecot-2.3.19-hostile.log was written by Debian 12's
// dovecot 2.3.19 (auth_verbose = yes, auth_verbose_passwords = plain,
// passwd-file, the client's address passed by IMAP ID from a trusted
// network, and one client on 127.0.0.2 refused plaintext logins) under
// LOGIN and AUTHENTICATE PLAIN with hostile usernames and passwords:
// "x>y", "a,6.6.6.6) rhost", "a,6.6.6.6): unknown user (given password: x",
// and passwords imitating a verdict and an address. Every attempt counts
// once, from the address dovecot wrote.
func TestRealDovecotHostile(t *testing.T) {
	data, err := os.ReadFile("testdata/real/dovecot-2.3.19-hostile.log")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Unmatched = true
	recs, warns := parseAll(t, cfg, strings.Split(strings.TrimSpace(string(data)), "\n")...)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	got := map[string]int{}
	for _, r := range recs {
		switch {
		case r.Event == "unmatched":
			t.Errorf("unmatched: %s", r.Line)
		case r.Outcome == "failure":
			got[r.IP] += r.Attempts
		}
	}
	want := map[string]int{"203.0.113.9": 2, "2001:db8::9": 1, "203.0.113.10": 2, "127.0.0.2": 2}
	if !maps.Equal(got, want) {
		t.Errorf("attempts per address %v, want %v", got, want)
	}
}

// BenchmarkHostileLongLines reads near-1 MiB lines built to make the rules
// look back often: a username full of " user=" in PAM's line, a password
// full of " (given password:" in dovecot's. Their cost must grow with the
// line, not with its square.
func BenchmarkHostileLongLines(b *testing.B) {
	const size = 900 << 10
	name := strings.Repeat("x rhost=6.6.6.6  user=", size/2/22) + "x"
	pw := strings.Repeat(" (given password: y)", size/20)
	lines := []byte(pamHead + "ruser=" + name + " rhost=203.0.113.73  user=" + name + "\n" +
		"Nov 25 07:01:00 mx1 dovecot: auth: sql(u,203.0.113.201,<S1>): Password mismatch (given password: " + pw + ")\n")
	b.SetBytes(int64(len(lines)))
	p := NewParser(testConfig(), func(r *record.Record) error { sink += r.Attempts; return nil }, func(error) {})
	for b.Loop() {
		if err := p.Read(bytes.NewReader(lines), "bench.log", time.Time{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// A malformed AUTH (invalid base64, refused with 501 before any check)
// and an AUTH the client aborted are no attempts, though postfix counts
// them in auth=0/N; lines from postfix 3.7 and dovecot 2.4 under the
// project's own attack harness.
func TestPostfixRefusedBeforeCheck(t *testing.T) {
	recs, _ := parseAll(t, testConfig(),
		"2026-11-25T14:50:03.128781+00:00 vm postfix/submission/smtpd[16403]: warning: unknown[198.51.100.9]: SASL PLAIN authentication failed: Invalid base64 data in initial response, sasl_username=(unavailable)",
		"2026-11-25T14:50:03.129205+00:00 vm dovecot: auth(?,198.51.100.9,sasl:plain): Invalid base64 data in initial response",
		"2026-11-25T14:50:03.131740+00:00 vm dovecot: auth(test,198.51.100.9,sasl:plain): passwd-file: unknown user (SHA1 of given password: a94a8f)",
		"2026-11-25T14:50:05.120649+00:00 vm postfix/submission/smtpd[16403]: warning: unknown[198.51.100.9]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=test",
		"2026-11-25T14:50:05.121282+00:00 vm postfix/submission/smtpd[16403]: disconnect from unknown[198.51.100.9] ehlo=2 xclient=0/1 auth=0/2 quit=1 commands=3/6",
		"2026-11-25T14:51:00+00:00 vm postfix/smtpd[16404]: warning: unknown[198.51.100.10]: SASL LOGIN authentication aborted",
		"2026-11-25T14:51:01+00:00 vm postfix/smtpd[16404]: disconnect from unknown[198.51.100.10] ehlo=1 auth=0/1 quit=1 commands=2/3",
	)
	per := map[string]int{}
	for _, r := range recs {
		if r.Outcome == "failure" {
			per[r.IP] += r.Attempts
		}
	}
	if !maps.Equal(per, map[string]int{"198.51.100.9": 1}) {
		t.Errorf("attempts per address %v, want 198.51.100.9: 1 (%+v)", per, recs)
	}
}
