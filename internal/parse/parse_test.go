package parse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// parseTests is the table of real-looking, anonymised log lines that
// drives TestParse, BenchmarkParse and the FuzzParse seed corpus. Each
// line goes through a fresh parser; want is its exact output (one JSON
// record per line), "" for none.
var parseTests = []struct {
	in, want string
}{
	// dovecot login-process summaries, 2.2-2.3
	{
		`Nov 25 06:25:01 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 16 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<9ZHq02g3J8S60fan>`,
		`{"time":"2026-11-25T06:25:01+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"info@example.com","ip":"203.0.113.5","method":"PLAIN","session":"9ZHq02g3J8S60fan","attempts":3}`,
	},
	{
		`Nov  5 06:25:01 mx1 dovecot[241]: pop3-login: Aborted login (auth failed, 1 attempts in 2 secs): user=<admin>, method=LOGIN, rip=2001:db8::77, lip=2001:db8::1, session=<YADINsQCDs5BH8Pg>`,
		`{"time":"2026-11-05T06:25:01+00:00","host":"mx1","daemon":"dovecot","service":"pop3","event":"auth","outcome":"failure","reason":"auth_failed","user":"admin","ip":"2001:db8::77","method":"LOGIN","session":"YADINsQCDs5BH8Pg","pid":241,"attempts":1}`,
	},
	{
		`Nov 25 06:25:02 mx1 dovecot: pop3-login: Disconnected: Inactivity (auth failed, 1 attempts in 178 secs): user=<suzanne>, method=PLAIN, rip=::ffff:198.51.100.23, lip=192.0.2.1`,
		`{"time":"2026-11-25T06:25:02+00:00","host":"mx1","daemon":"dovecot","service":"pop3","event":"auth","outcome":"failure","reason":"auth_failed","user":"suzanne","ip":"198.51.100.23","method":"PLAIN","attempts":1}`,
	},
	{
		`Nov 25 06:25:03 mx1 dovecot: imap-login: Disconnected (tried to use disallowed plaintext auth): user=<>, rip=198.51.100.24, lip=192.0.2.1, session=<LgDINsQCkttVIMPg>`,
		`{"time":"2026-11-25T06:25:03+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"plaintext_disabled","ip":"198.51.100.24","session":"LgDINsQCkttVIMPg","attempts":1}`,
	},
	{
		`Nov 25 06:25:04 mx1 dovecot: imap-login: Disconnected (proxy dest auth failed): user=<carol@example.org>, method=PLAIN, rip=198.51.100.25, lip=192.0.2.1, session=<NTI4FiZxcQCSud4G>`,
		`{"time":"2026-11-25T06:25:04+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"proxy_auth_failed","user":"carol@example.org","ip":"198.51.100.25","method":"PLAIN","session":"NTI4FiZxcQCSud4G","attempts":1}`,
	},
	// dovecot 2.4
	{
		`2026-11-25T06:26:00.123456+01:00 mx1 dovecot[442]: imap-login: Login aborted: Connection closed (auth failed, 2 attempts in 9 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<Dp8j1Ho3suQYdo+k>`,
		`{"time":"2026-11-25T05:26:00.123456+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"test","ip":"192.0.2.241","method":"PLAIN","session":"Dp8j1Ho3suQYdo+k","pid":442,"attempts":2}`,
	},
	{
		`2026-11-25T06:26:01+01:00 mx1 dovecot[442]: imap-login: Login aborted: Connection closed (tried to use disallowed cleartext auth, 1 attempts in 0 secs) (cleartext_auth_disabled): user=<bob>, method=PLAIN, rip=192.0.2.242, lip=203.0.113.104, session=<Ep8j1Ho3suQYdo+k>`,
		`{"time":"2026-11-25T05:26:01+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"plaintext_disabled","user":"bob","ip":"192.0.2.242","method":"PLAIN","session":"Ep8j1Ho3suQYdo+k","pid":442,"attempts":1}`,
	},
	{
		`2026-11-25T06:26:02+01:00 mx1 dovecot[442]: auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: sql: Password mismatch (given password: Secret123)`,
		`{"time":"2026-11-25T05:26:02+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"password_mismatch","user":"info@example.com","ip":"192.0.2.110","method":"LOGIN","session":"CvN+E95Uf4e7eEnj","pid":442,"attempts":1}`,
	},
	// dovecot auth process, 2.0-2.3
	{
		`Nov 25 06:27:00 mx1 dovecot: auth: sql(admin@example.org,203.0.113.44,<6rXunFtu493AqJDi>): Password mismatch`,
		`{"time":"2026-11-25T06:27:00+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"password_mismatch","user":"admin@example.org","ip":"203.0.113.44","session":"6rXunFtu493AqJDi","attempts":1}`,
	},
	{
		`Nov 25 06:27:01 mx1 dovecot: auth: ldap(user@example.org,203.0.113.45,<LZmGp6mZaMrAqLIZ>): unknown user (SHA1 of given password: f638ff)`,
		`{"time":"2026-11-25T06:27:01+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"unknown_user","user":"user@example.org","ip":"203.0.113.45","session":"LZmGp6mZaMrAqLIZ","pw_hash":"f638ff","attempts":1}`,
	},
	{
		`Nov 25 06:27:02 mx1 dovecot: auth-worker(31326): pam(oracle,2001:db8:5::9): pam_authenticate() failed: Authentication failure (password mismatch?)`,
		`{"time":"2026-11-25T06:27:02+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"password_mismatch","user":"oracle","ip":"2001:db8:5::9","attempts":1}`,
	},
	{
		`Nov 25 06:27:03 mx1 dovecot: auth-worker(5787): conn unix:auth-worker (pid=27359,uid=97): auth-worker<55>: passwd-file(webapps,203.0.113.46): unknown user`,
		`{"time":"2026-11-25T06:27:03+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"unknown_user","user":"webapps","ip":"203.0.113.46","attempts":1}`,
	},
	{
		`Nov 25 06:27:04 mx1 dovecot: auth: ldap(dog,203.0.113.47,): invalid credentials`,
		`{"time":"2026-11-25T06:27:04+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"invalid_credentials","user":"dog","ip":"203.0.113.47","attempts":1}`,
	},
	{
		`Nov 25 06:27:05 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=informix rhost=203.0.113.48`,
		`{"time":"2026-11-25T06:27:05+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"auth_failed","user":"informix","ip":"203.0.113.48","attempts":1}`,
	},
	// dovecot's own log file: no host
	{
		`Nov 25 06:27:06 auth-worker(22401): Info: sql(admin@example.de,192.0.2.5,<n4JLdHNVngZGpV2j>): unknown user`,
		`{"time":"2026-11-25T06:27:06+00:00","daemon":"dovecot","event":"auth","outcome":"failure","reason":"unknown_user","user":"admin@example.de","ip":"192.0.2.5","session":"n4JLdHNVngZGpV2j","attempts":1}`,
	},
	{
		`2026-11-25 06:27:07 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<grace>, method=PLAIN, rip=212.9.180.3`,
		`{"time":"2026-11-25T06:27:07+00:00","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"grace","ip":"212.9.180.3","method":"PLAIN","attempts":1}`,
	},
	{
		`@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed, 1 attempts): user=<martin>, method=CRAM-MD5, rip=80.187.101.33, lip=80.254.129.240, TLS`,
		`{"time":"2010-09-16T05:50:50.125476+00:00","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"martin","ip":"80.187.101.33","method":"CRAM-MD5","attempts":1}`,
	},
	// postfix
	{
		`Nov 25 06:28:00 mx1 postfix/submission/smtpd[11538]: warning: unknown[82.221.106.233]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
		`{"time":"2026-11-25T06:28:00+00:00","host":"mx1","daemon":"postfix","service":"submission","event":"auth","outcome":"failure","reason":"auth_failed","ip":"82.221.106.233","method":"LOGIN","pid":11538,"attempts":1}`,
	},
	{
		`Nov 25 06:28:01 mx1 postfix/smtpd[1234]: warning: host.example.net[2001:db8::25]:55729: SASL PLAIN authentication failed: (reason unavailable), sasl_username=admin`,
		`{"time":"2026-11-25T06:28:01+00:00","host":"mx1","daemon":"postfix","service":"smtp","event":"auth","outcome":"failure","reason":"auth_failed","user":"admin","ip":"2001:db8::25","method":"PLAIN","pid":1234,"attempts":1}`,
	},
	{
		`Nov 25 06:28:02 mx1 postfix/smtps/smtpd[77]: disconnect from unknown[192.0.2.23] ehlo=1 auth=0/1 rset=1 commands=2/3`,
		`{"time":"2026-11-25T06:28:02+00:00","host":"mx1","daemon":"postfix","service":"smtps","event":"auth","outcome":"failure","reason":"auth_failed","ip":"192.0.2.23","pid":77,"attempts":1}`,
	},
	// successes
	{
		`Nov 25 06:29:00 mx1 dovecot: imap-login: Login: user=<joe@example.com>, method=PLAIN, rip=198.51.100.50, lip=192.0.2.1, mpid=4242, TLS, session=<kJ3mL9x2AQDGM2Zk>`,
		`{"time":"2026-11-25T06:29:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"success","user":"joe@example.com","ip":"198.51.100.50","method":"PLAIN","session":"kJ3mL9x2AQDGM2Zk"}`,
	},
	{
		`Nov 25 06:29:01 mx1 postfix/submission/smtpd[4004]: 4F1A2B3C4D: client=unknown[198.51.100.51], sasl_method=PLAIN, sasl_username=ann@example.com`,
		`{"time":"2026-11-25T06:29:01+00:00","host":"mx1","daemon":"postfix","service":"submission","event":"auth","outcome":"success","user":"ann@example.com","ip":"198.51.100.51","method":"PLAIN","pid":4004}`,
	},
	// journald's short-iso output
	{
		`2026-11-25T06:30:00+0100 mx1 dovecot[99]: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<root>, method=PLAIN, rip=203.0.113.60, lip=192.0.2.1`,
		`{"time":"2026-11-25T05:30:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"root","ip":"203.0.113.60","method":"PLAIN","pid":99,"attempts":2}`,
	},
	// hostile usernames: read where dovecot puts each field
	{
		`Nov 25 06:31:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, y>, method=PLAIN, rip=203.0.113.70, lip=192.0.2.1, session=<AAAABBBBCCCCDDDD>`,
		`{"time":"2026-11-25T06:31:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"x>, method=PLAIN, rip=6.6.6.6, lip=1.1.1.1, y","ip":"203.0.113.70","method":"PLAIN","session":"AAAABBBBCCCCDDDD","attempts":1}`,
	},
	{
		`Nov 25 06:31:01 mx1 dovecot: auth: sql(a,6.6.6.6): unknown user,203.0.113.71,<EEEEFFFF>): Password mismatch`,
		`{"time":"2026-11-25T06:31:01+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"password_mismatch","user":"a,6.6.6.6): unknown user","ip":"203.0.113.71","session":"EEEEFFFF","attempts":1}`,
	},
	{
		`Nov 25 06:31:02 mx1 dovecot: auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=rhost=6.6.6.6 rhost=203.0.113.72`,
		`{"time":"2026-11-25T06:31:02+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"auth_failed","user":"rhost=6.6.6.6","ip":"203.0.113.72","attempts":1}`,
	},
	// not attempts
	{`Nov 25 06:32:00 mx1 dovecot: imap-login: Disconnected (no auth attempts in 0 secs): user=<>, rip=203.0.113.80, lip=192.0.2.1, TLS handshaking: SSL_accept() failed`, ``},
	{`Nov 25 06:32:01 mx1 dovecot: imap-login: Disconnected (disconnected before auth was ready, waited 0 secs): user=<>, rip=203.0.113.81, lip=192.0.2.1`, ``},
	{`Nov 25 06:32:02 mx1 dovecot: imap-login: Login aborted: Connection closed: SSL_accept() failed (disconnected during TLS handshake) (tls_handshake_not_finished): user=<>, rip=203.0.113.82, lip=192.0.2.1, TLS`, ``},
	{`Nov 25 06:32:03 mx1 postfix/smtpd[42]: lost connection after AUTH from unknown[203.0.113.83]`, ``},
	{`Nov 25 06:32:04 mx1 postfix/smtpd[42]: warning: unknown[203.0.113.84]: SASL LOGIN authentication failed: Connection lost to authentication server`, ``},
	{`Nov 25 06:32:05 mx1 dovecot: lmtp(4242): auth-worker(12): passwd-file(nobody): unknown user`, ``},
	{`Nov 25 06:32:06 mx1 dovecot: auth: passwd-file(nobody@example.com): unknown user`, ``},
	{`Nov 25 06:32:07 mx1 sshd[99]: Disconnected (auth failed, 3 attempts in 16 secs): user=<root>, method=PLAIN, rip=203.0.113.85`, ``},
	{`Nov 25 06:32:08 mx1 postfix/smtpd[42]: disconnect from mail.example.net[198.51.100.90] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5`, ``},
	{`Nov 25 06:32:09 mx1 postfix/smtpd[42]: NOQUEUE: reject: RCPT from unknown[203.0.113.86]: 554 5.7.1 <author@example.com>: Relay access denied; from=<x@example.net> to=<author@example.com> proto=ESMTP helo=<x>`, ``},
	{`Nov 25 06:32:10 mx1 dovecot: imap(joe@example.com)<4242><kJ3mL9x2AQDGM2Zk>: Logged out in=100 out=2000`, ``},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			recs, warns := parseAll(t, testConfig(), tt.in)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			var got bytes.Buffer
			for i := range recs {
				got.Write(recs[i].AppendJSON(nil))
				got.WriteByte('\n')
			}
			want := tt.want
			if want != "" {
				want += "\n"
			}
			if got.String() != want {
				t.Errorf("\n got: %s\nwant: %s", got.String(), want)
			}
		})
	}
}

// The same lines wrapped by mailcop-tail and by journalctl -o json give
// the same events, with the provenance each adds.
func TestInputForms(t *testing.T) {
	cfg := testConfig()
	tests := []struct{ name, in, want string }{
		{
			"tail record",
			`{"file":"/var/log/mail.log","line":"Nov 25 06:28:00 mx1 postfix/smtpd[11538]: warning: unknown[82.221.106.233]: SASL LOGIN authentication failed: UGFzc3dvcmQ6","note":"kept"}`,
			`{"time":"2026-11-25T06:28:00+00:00","host":"mx1","daemon":"postfix","service":"smtp","event":"auth","outcome":"failure","reason":"auth_failed","ip":"82.221.106.233","method":"LOGIN","pid":11538,"attempts":1,"file":"/var/log/mail.log","note":"kept"}`,
		},
		{
			"tail record of a line that is not UTF-8",
			`{"file":"/var/log/mail.log","line":"Nov 25 06:28:00 mx1 dovecot: auth: passwd-file(j\ufffd\ufffdme,203.0.113.91): unknown user","line_b64":"` + base64.StdEncoding.EncodeToString([]byte("Nov 25 06:28:00 mx1 dovecot: auth: passwd-file(j\xe9\xf4me,203.0.113.91): unknown user")) + `"}`,
			// From the exact bytes, the two invalid bytes in a row make one
			// U+FFFD, where the U+FFFD-for-each-byte "line" has two.
			`{"time":"2026-11-25T06:28:00+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"unknown_user","user":"j` + "\uFFFD" + `me","ip":"203.0.113.91","attempts":1,"file":"/var/log/mail.log"}`,
		},
		{
			"journal",
			`{"__REALTIME_TIMESTAMP":"1795587001000000","_HOSTNAME":"mx2","SYSLOG_IDENTIFIER":"dovecot","_PID":"812","MESSAGE":"imap-login: Disconnected (auth failed, 2 attempts in 6 secs): user=<sales>, method=PLAIN, rip=203.0.113.90, lip=192.0.2.2"}`,
			`{"time":"2026-11-25T06:10:01.000000+00:00","host":"mx2","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"sales","ip":"203.0.113.90","method":"PLAIN","pid":812,"attempts":2}`,
		},
		{
			"journal byte array with invalid UTF-8",
			`{"__REALTIME_TIMESTAMP":"1795587001000000","_HOSTNAME":"mx2","SYSLOG_IDENTIFIER":"dovecot","MESSAGE":` + byteArrayJSON("auth: passwd-file(j\xe9r\xf4me,203.0.113.91): unknown user") + `}`,
			`{"time":"2026-11-25T06:10:01.000000+00:00","host":"mx2","daemon":"dovecot","event":"auth","outcome":"failure","reason":"unknown_user","user":"j` + "\uFFFD" + `r` + "\uFFFD" + `me","ip":"203.0.113.91","attempts":1}`,
		},
		{
			"docker logs -t with compose prefix",
			`mailserver-1  | 2026-11-25T06:10:02.500000000Z Nov 25 06:10:02 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, method=PLAIN, rip=203.0.113.92, lip=172.18.0.2`,
			`{"time":"2026-11-25T06:10:02+00:00","host":"mail","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"a","ip":"203.0.113.92","method":"PLAIN","attempts":1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, warns := parseAll(t, cfg, tt.in)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1: %+v", len(recs), recs)
			}
			if got := string(recs[0].AppendJSON(nil)); got != tt.want {
				t.Errorf("\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// Every line of the parse table, wrapped as mailcop-tail wraps it, gives
// the same records plus "file", whether parse reads the record in place
// (PlainLineRecord) or decodes it (here forced by a needless escape).
func TestTailRecordPaths(t *testing.T) {
	cfg := testConfig()
	for _, tt := range parseTests {
		if strings.HasPrefix(tt.in, "{") {
			continue
		}
		want, _ := parseAll(t, cfg, tt.in)
		for i := range want {
			want[i].File = "/var/log/mail.log"
		}
		encoded := string(record.AppendString(nil, tt.in))
		inPlace := `{"file":"/var/log/mail.log","line":` + encoded + `}`
		decoded := `{"file":"/var/log/mail.log","line":"\u` + fmt.Sprintf("%04x", tt.in[0]) + encoded[2:] + `}`
		for _, in := range []string{inPlace, decoded} {
			got, warns := parseAll(t, cfg, in)
			if len(warns) > 0 {
				t.Errorf("%s: warnings: %v", in, warns)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", in, got, want)
			}
		}
	}
}

func byteArrayJSON(s string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(itoa(int(s[i])))
	}
	b.WriteByte(']')
	return b.String()
}

// A clear password never reaches any output, even with -raw or -unmatched.
func TestPasswordNeverOutput(t *testing.T) {
	cfg := testConfig()
	cfg.Raw = true
	cfg.Unmatched = true
	recs, _ := parseAll(t, cfg,
		`Nov 25 06:26:02 mx1 dovecot: auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: sql: Password mismatch (given password: Hunter2Secret)`,
		`Nov 25 06:26:03 mx1 dovecot: auth: sql(x,192.0.2.111): weird new verdict (given password: Hunter2Secret)`,
	)
	if len(recs) != 2 {
		t.Fatalf("want an event and an unmatched line, got %+v", recs)
	}
	for _, r := range recs {
		if j := string(r.AppendJSON(nil)); strings.Contains(j, "Hunter2") {
			t.Errorf("password in output: %s", j)
		}
	}
	if recs[1].Event != "unmatched" {
		t.Errorf("second record: want unmatched, got %+v", recs[1])
	}
}

// -unmatched shows the auth lines no rule understood, and only those.
func TestUnmatched(t *testing.T) {
	cfg := testConfig()
	cfg.Unmatched = true
	lines := []string{
		`Nov 25 07:00:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, method=PLAIN, rip=203.0.113.1, lip=192.0.2.1`,
		`Nov 25 07:00:01 mx1 dovecot: imap-login: Disconnected (a brand new reason): user=<a>, rip=203.0.113.1, lip=192.0.2.1`,
		`Nov 25 07:00:02 mx1 dovecot: auth-worker(12): Error: sql(a,203.0.113.1): Password query failed: connection refused`,
		`Nov 25 07:00:03 mx1 postfix/smtpd[9]: warning: unknown[203.0.113.1]: SASL XOAUTH9 authentication went sideways`,
		`Nov 25 07:00:04 mx1 kernel: auth something`,
		`Nov 25 07:00:05 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from x[203.0.113.2]: 554 <author@example.com>: Relay access denied`,
	}
	recs, _ := parseAll(t, cfg, lines...)
	var unmatched []string
	for _, r := range recs {
		if r.Event == "unmatched" {
			unmatched = append(unmatched, r.Line)
		}
	}
	want := []string{lines[1], lines[2], lines[3]}
	if strings.Join(unmatched, "\n") != strings.Join(want, "\n") {
		t.Errorf("unmatched:\n%s\nwant:\n%s", strings.Join(unmatched, "\n"), strings.Join(want, "\n"))
	}
}

// Bad input is skipped, named, and never stops the rest.
func TestBadInput(t *testing.T) {
	good := `Nov 25 06:28:00 mx1 postfix/smtpd[1]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`
	long := "Nov 25 06:28:00 mx1 dovecot: auth " + strings.Repeat("x", record.MaxLine+10)
	in := strings.Join([]string{
		good,
		`{"line": "unterminated auth`,
		long,
		"\x00\x00auth\xff\xfe binary junk \x00",
		good,
	}, "\n")
	var recs int
	var warns []string
	p := NewParser(testConfig(), func(*record.Record) error { recs++; return nil }, func(err error) { warns = append(warns, err.Error()) })
	if err := p.Read(strings.NewReader(in), "mail.log", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if recs != 2 {
		t.Errorf("got %d records, want 2", recs)
	}
	if len(warns) != 3 || !strings.HasPrefix(warns[0], "mail.log:2: invalid record") || !strings.HasPrefix(warns[1], "mail.log:3: line longer than") ||
		warns[2] != "mail.log:4: line with NUL bytes skipped" {
		t.Errorf("warnings: %q", warns)
	}
	if s := p.Stats(); s.Lines != 5 || s.Bad != 3 {
		t.Errorf("stats %+v: want 5 lines, 3 bad", s)
	}
}

// Records leave as soon as their line is read: while the input is idle,
// everything parsed so far has been flushed.
func TestFlushWhileInputIdle(t *testing.T) {
	var mu sync.Mutex
	recs, flushedAt := 0, -1
	p := NewParser(testConfig(), func(*record.Record) error {
		mu.Lock()
		recs++
		mu.Unlock()
		return nil
	}, func(error) {})
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- p.Read(pr, "<stdin>", time.Time{}, func() error {
			mu.Lock()
			flushedAt = recs
			mu.Unlock()
			return nil
		})
	}()
	io.WriteString(pw, "Nov 25 06:28:00 mx1 postfix/smtpd[1]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: x\n")
	// Half of the next line: the first record must be out, not waiting
	// for the line to end.
	io.WriteString(pw, "Nov 25 06:28:01 mx1 postfix/smtpd[1]: warning: unknown[203.0.113.9]: SASL LOGIN ")
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		ok := flushedAt == 1
		mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first record was not flushed while the input was idle")
		}
		time.Sleep(time.Millisecond)
	}
	io.WriteString(pw, "authentication failed: x\n")
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if recs != 2 {
		t.Errorf("records %d, want 2", recs)
	}
}

// Years are inferred across New Year, and -since/-until cut on time.
func TestYearAndPeriod(t *testing.T) {
	cfg := testConfig()
	cfg.Year = 0
	lines := []string{
		`Dec 31 23:59:58 mx1 postfix/smtpd[1]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: x`,
		`Jan  1 00:00:02 mx1 postfix/smtpd[2]: warning: unknown[203.0.113.9]: SASL LOGIN authentication failed: x`,
	}
	p := func(cfg Config) []record.Record {
		var out []record.Record
		pr := NewParser(cfg, func(r *record.Record) error { out = append(out, *r); return nil }, func(error) {})
		mtime := time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC)
		if err := pr.Read(strings.NewReader(strings.Join(lines, "\n")), "mail.log", mtime, nil); err != nil {
			t.Fatal(err)
		}
		return out
	}
	recs := p(cfg)
	if len(recs) != 2 || recs[0].Time != "2026-12-31T23:59:58+00:00" || recs[1].Time != "2027-01-01T00:00:02+00:00" {
		t.Fatalf("times: %+v", recs)
	}
	cfg.Since = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if recs := p(cfg); len(recs) != 1 || recs[0].PID != 2 {
		t.Errorf("-since: %+v", recs)
	}
	cfg.Since, cfg.Until = time.Time{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if recs := p(cfg); len(recs) != 1 || recs[0].PID != 1 {
		t.Errorf("-until: %+v", recs)
	}
}

func TestWhen(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zoneinfo")
	}
	now := time.Date(2026, 11, 26, 0, 30, 0, 0, paris) // just after midnight
	tests := []struct{ in, want string }{
		{"24h", "2026-11-25T00:30:00+01:00"},
		{"today", "2026-11-26T00:00:00+01:00"},
		{"yesterday", "2026-11-25T00:00:00+01:00"},
		{"2026-11-20", "2026-11-20T00:00:00+01:00"},
		{"2026-11-20 08:15", "2026-11-20T08:15:00+01:00"},
		{"2026-11-20T08:15:00Z", "2026-11-20T09:15:00+01:00"},
	}
	for _, tt := range tests {
		got, err := When(tt.in, now, paris)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if s := got.In(paris).Format(time.RFC3339); s != tt.want {
			t.Errorf("%s: got %s, want %s", tt.in, s, tt.want)
		}
	}
	if _, err := When("last tuesday", now, paris); err == nil {
		t.Error("last tuesday: want an error")
	}
}

var sink int

func BenchmarkParse(b *testing.B) {
	var lines []byte
	for _, tt := range parseTests {
		lines = append(lines, tt.in...)
		lines = append(lines, '\n')
	}
	b.SetBytes(int64(len(lines)))
	b.ReportAllocs()
	p := NewParser(testConfig(), func(r *record.Record) error { sink += r.Attempts; return nil }, func(error) {})
	for b.Loop() {
		if err := p.Read(bytes.NewReader(lines), "bench.log", time.Time{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, fm := range hostileForms {
		f.Add(strings.NewReplacer("USER", "a,6.6.6.6): unknown user (given password: x", "RAW", "x rhost=6.6.6.6  user=y", "PW", "p").Replace(fm.line))
	}
	f.Fuzz(func(t *testing.T, line string) {
		cfg := testConfig()
		cfg.Unmatched = true
		cfg.Raw = true
		p := NewParser(cfg, func(r *record.Record) error {
			if r.Event == "auth" && r.Outcome == "failure" && r.Attempts < 1 {
				t.Errorf("failure with attempts %d", r.Attempts)
			}
			if r.IP != "" && canonicalIP([]byte(r.IP)) != r.IP {
				t.Errorf("ip %q not canonical", r.IP)
			}
			j := r.AppendJSON(nil)
			var back record.Record
			if err := back.Unmarshal(j); err != nil {
				t.Errorf("output is not a valid record: %v: %s", err, j)
			}
			// A username may hold the words; FuzzHostileUser checks that
			// no password reaches the user field.
			noUser := *r
			noUser.User = ""
			j = noUser.AppendJSON(nil)
			if i := bytes.Index(j, []byte("(given password:")); i >= 0 && !bytes.HasPrefix(j[i:], []byte("(given password: <hidden>)")) {
				t.Errorf("clear password in output: %s", j)
			}
			return nil
		}, func(error) {})
		if err := p.Read(strings.NewReader(line), "fuzz", time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCanonicalIP(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.5":         "203.0.113.5",
		"0.0.0.0":             "0.0.0.0",
		"255.255.255.255":     "255.255.255.255",
		"256.1.1.1":           "",
		"1.2.3":               "",
		"01.2.3.4":            "",
		"1.2.3.4.":            "",
		"::ffff:198.51.100.7": "198.51.100.7",
		"2001:DB8::1":         "2001:db8::1",
		"[2001:db8::1]":       "2001:db8::1",
		"IPv6:2001:db8::2":    "2001:db8::2",
		"fe80::1%eth0":        "fe80::1",
		"host.example.com":    "",
	} {
		if got := canonicalIP([]byte(in)); got != want {
			t.Errorf("canonicalIP(%q) = %q, want %q", in, got, want)
		}
	}
}

// fail2ban's notices become ban and unban records, so a report can say
// what was banned; its other lines are nothing.
func TestFail2ban(t *testing.T) {
	recs, warns := parseAll(t, testConfig(),
		`2026-11-25 10:24:51,123 fail2ban.actions        [812]: NOTICE  [dovecot] Ban 198.51.100.23`,
		`2026-11-25 10:24:52,001 fail2ban.filter         [812]: INFO    [dovecot] Found 198.51.100.23 - 2026-11-25 10:24:50`,
		`2026-11-25 11:24:51,456 fail2ban.actions        [812]: NOTICE  [dovecot] Unban 198.51.100.23`,
		`Nov 25 12:00:00 mx1 fail2ban.actions[812]: NOTICE [postfix-sasl] Restore Ban 2001:db8::bad`,
		`2013-05-02 07:12:01,917 fail2ban.actions: WARNING [dovecot] Ban 203.0.113.99`,
	)
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.AppendJSON(nil)))
	}
	want := []string{
		`{"time":"2026-11-25T10:24:51.123+00:00","daemon":"fail2ban","event":"ban","ip":"198.51.100.23","jail":"dovecot"}`,
		`{"time":"2026-11-25T11:24:51.456+00:00","daemon":"fail2ban","event":"unban","ip":"198.51.100.23","jail":"dovecot"}`,
		`{"time":"2026-11-25T12:00:00+00:00","host":"mx1","daemon":"fail2ban","event":"ban","ip":"2001:db8::bad","jail":"postfix-sasl"}`,
		`{"time":"2013-05-02T07:12:01.917+00:00","daemon":"fail2ban","event":"ban","ip":"203.0.113.99","jail":"dovecot"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLastByte(t *testing.T) {
	for _, s := range []string{"", "a", "\n", "abc\ndef", "\nabcdefghijklmnop", "abcdefghijklmnop\n", "ab\ncdefghij\nklmnopqrstuvwxyz", strings.Repeat("x", 100), "é\n\x8a\x0a\xff"} {
		for _, c := range []byte{'\n', 'x', 0x8a, 0xff, 'a'} {
			if got, want := lastByte([]byte(s), c), bytes.LastIndexByte([]byte(s), c); got != want {
				t.Errorf("lastByte(%q, %q) = %d, want %d", s, c, got, want)
			}
		}
	}
}
