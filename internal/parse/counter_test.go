package parse

import (
	"testing"
)

// Scenarios of the counting rule: the lines one real session leaves, and
// how many attempts they must add up to.
func TestCountEachAttemptOnce(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  int // failed attempts in all
		recs  int // failure records
	}{
		{
			name: "auth_verbose lines and the login summary of one session",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch",
				"Nov 26 10:00:04 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch",
				"Nov 26 10:00:09 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 10 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<AbCdEf012345>",
			},
			want: 3, recs: 3,
		},
		{
			name: "summary that adds nothing",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch",
				"Nov 26 10:00:03 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<AbCdEf012345>",
			},
			want: 1, recs: 1,
		},
		{
			name: "two passdbs judging one attempt in the same second",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: passwd-file(bob,203.0.113.5,<S1S1S1S1>): unknown user",
				"Nov 26 10:00:01 mx1 dovecot: auth: sql(bob,203.0.113.5,<S1S1S1S1>): unknown user",
				"Nov 26 10:00:03 mx1 dovecot: pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<bob>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, session=<S1S1S1S1>",
			},
			want: 1, recs: 1,
		},
		{
			name: "dovecot 2.4 auth line and Login aborted",
			lines: []string{
				"Nov 26 10:00:57 mx1 dovecot: auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: sql: Password mismatch (given password: hunter2)",
				"Nov 26 10:01:05 mx1 dovecot: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<info@example.com>, method=PLAIN, rip=192.0.2.110, lip=192.0.2.1, TLS, session=<CvN+E95Uf4e7eEnj>",
			},
			want: 3, recs: 2,
		},
		{
			name: "postfix warning and disconnect auth=0/1",
			lines: []string{
				"Nov 26 10:00:01 mx1 postfix/submission/smtpd[11538]: warning: unknown[198.51.100.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
				"Nov 26 10:00:02 mx1 postfix/submission/smtpd[11538]: disconnect from unknown[198.51.100.7] ehlo=1 auth=0/1 quit=1 commands=2/3",
			},
			want: 1, recs: 1,
		},
		{
			name: "postfix AUTH refused before any SASL exchange",
			lines: []string{
				"Nov 26 10:00:02 mx1 postfix/smtpd[2001]: disconnect from unknown[198.51.100.8] ehlo=1 auth=0/2 quit=1 commands=2/4",
			},
			want: 2, recs: 1,
		},
		{
			name: "postfix with dovecot SASL: both daemons log the attempt",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: passwd-file(admin,198.51.100.9): unknown user",
				"Nov 26 10:00:01 mx1 postfix/smtpd[3003]: warning: unknown[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
				"Nov 26 10:00:03 mx1 dovecot: auth: passwd-file(admin,198.51.100.9): unknown user",
				"Nov 26 10:00:03 mx1 postfix/smtpd[3003]: warning: unknown[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
				"Nov 26 10:00:04 mx1 postfix/smtpd[3003]: disconnect from unknown[198.51.100.9] ehlo=1 auth=0/2 quit=1 commands=2/4",
			},
			want: 2, recs: 2,
		},
		{
			name: "postfix warning logged before dovecot's line",
			lines: []string{
				"Nov 26 10:00:01 mx1 postfix/smtpd[3003]: warning: unknown[198.51.100.9]: SASL PLAIN authentication failed: authentication failure, sasl_username=admin",
				"Nov 26 10:00:02 mx1 dovecot: auth: passwd-file(admin,198.51.100.9): Password mismatch",
			},
			want: 1, recs: 1,
		},
		{
			name: "PAM's own line beside dovecot's pam line",
			lines: []string{
				"Nov 26 10:00:01 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=web rhost=203.0.113.9",
				"Nov 26 10:00:03 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
			},
			want: 1, recs: 1,
		},
		{
			name: "parallel attempts from one address count as many as they are",
			lines: []string{
				"Nov 26 10:00:01 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=web rhost=203.0.113.9",
				"Nov 26 10:00:01 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=web rhost=203.0.113.9",
				"Nov 26 10:00:03 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:03 mx1 dovecot: auth-worker(305): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
			},
			want: 2, recs: 2,
		},
		{
			name: "sessionless auth lines and their login summary (older dovecot)",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:04 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:07 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 2, recs: 2,
		},
		{
			name: "a sessionless summary stands for the lines of every user its session tried",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:03 mx1 dovecot: auth-worker(304): pam(root,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:05 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:07 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 7 secs): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, session=<q454Xu/vMwBZApgg>",
			},
			want: 3, recs: 3,
		},
		{
			name: "PAM's own lines alone, and their session's summary",
			lines: []string{
				"Nov 26 10:00:01 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=admin rhost=203.0.113.9",
				"Nov 26 10:00:04 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=web rhost=203.0.113.9",
				"Nov 26 10:00:06 mx1 dovecot: pop3-login: Disconnected (auth failed, 2 attempts in 6 secs): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 2, recs: 2,
		},
		{
			name: "two sessions of one address at once: each summary absorbs what it can",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(305): pam(root,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:04 mx1 dovecot: auth-worker(304): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:04 mx1 dovecot: auth-worker(305): pam(root,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:06 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts in 6 secs): user=<root>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
				"Nov 26 10:00:06 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts in 6 secs): user=<admin>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 4, recs: 4,
		},
		{
			name: "a summary absorbs no more than its N",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:02 mx1 dovecot: auth-worker(305): pam(root,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:03 mx1 dovecot: auth-worker(306): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:04 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<root>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 3, recs: 3,
		},
		{
			name: "nor lines older than its session",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:30 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:32 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts in 5 secs): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 3, recs: 3,
		},
		{
			name: "nor another address's lines",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(web,203.0.113.8): pam_authenticate() failed: Authentication failure (password mismatch?)",
				"Nov 26 10:00:02 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
			},
			want: 2, recs: 2,
		},
		{
			name: "summaries alone carry the whole count",
			lines: []string{
				"Nov 26 10:00:07 mx1 dovecot: imap-login: Disconnected (auth failed, 4 attempts in 12 secs): user=<root>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, session=<q454Xu/vMwBZApgg>",
				"Nov 26 10:00:09 mx1 dovecot: imap-login: Disconnected (auth failed, 2 attempts in 5 secs): user=<root>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, session=<r454Xu/vMwBZApgg>",
			},
			want: 6, recs: 2,
		},
		{
			name: "postfix gave up on dovecot: the attempt counts once, beside auth=0/1",
			lines: []string{
				"Nov 26 10:00:11 mx1 postfix/smtpd[3004]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=admin",
				"Nov 26 10:00:12 mx1 dovecot: auth: Error: auth client 0 disconnected with 1 pending requests",
				"Nov 26 10:00:14 mx1 postfix/smtpd[3004]: disconnect from unknown[198.51.100.10] ehlo=1 auth=0/1 quit=1 commands=2/3",
			},
			want: 1, recs: 1,
		},
		{
			name: "postfix gave up on dovecot, whose verdict came 10 s before",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: passwd-file(admin,198.51.100.10): unknown user",
				"Nov 26 10:00:11 mx1 postfix/smtpd[3004]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=admin",
				"Nov 26 10:00:14 mx1 postfix/smtpd[3004]: disconnect from unknown[198.51.100.10] ehlo=1 auth=0/1 quit=1 commands=2/3",
			},
			want: 1, recs: 1,
		},
		{
			name: "postfix gave up on dovecot, whose verdict came 12 s after",
			lines: []string{
				"Nov 26 10:00:11 mx1 postfix/smtpd[3004]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=admin",
				"Nov 26 10:00:23 mx1 dovecot: auth: passwd-file(admin,198.51.100.10): unknown user",
			},
			want: 1, recs: 1,
		},
		{
			name: "an ordinary postfix failure pairs within 5 s only",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: passwd-file(admin,198.51.100.10): unknown user",
				"Nov 26 10:00:11 mx1 postfix/smtpd[3004]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: authentication failure, sasl_username=admin",
			},
			want: 2, recs: 2,
		},
		{
			name: "dovecot's socket gone before any username: no attempt",
			lines: []string{
				"Nov 26 10:00:11 mx1 postfix/smtpd[3004]: warning: unknown[198.51.100.10]: SASL LOGIN authentication failed: Connection lost to authentication server",
				"Nov 26 10:00:14 mx1 postfix/smtpd[3004]: disconnect from unknown[198.51.100.10] ehlo=1 auth=0/1 quit=1 commands=2/3",
			},
			want: 0, recs: 0,
		},
		{
			// postfix 3.7 and dovecot 2.3.19 under attack: each AUTH was
			// sent, and answered 454 when postfix gave up waiting; postfix
			// had no username to log for any of them.
			name: "postfix gave up with sasl_username=(unavailable): each is an attempt",
			lines: []string{
				"Dec  4 15:17:26 vm postfix/submission/smtpd[19697]: warning: unknown[2001:db8:bad:1::99]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=(unavailable)",
				"Dec  4 15:17:36 vm postfix/submission/smtpd[19697]: warning: unknown[2001:db8:bad:1::99]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=(unavailable)",
				"Dec  4 15:17:46 vm postfix/submission/smtpd[19697]: warning: unknown[2001:db8:bad:1::99]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=(unavailable)",
				"Dec  4 15:17:46 vm postfix/submission/smtpd[19697]: disconnect from unknown[2001:db8:bad:1::99] ehlo=2 xclient=0/1 auth=0/3 quit=1 commands=3/7",
			},
			want: 3, recs: 3,
		},
		{
			// The same pair: the give-up names the user of the
			// connection's previous failure ("test"), dovecot the one it
			// judged ("admin"); they are one attempt.
			name: "postfix gave up naming the previous attempt's user",
			lines: []string{
				"Dec  4 15:18:44 vm dovecot: auth: passwd-file(test,203.0.113.200): unknown user (SHA1 of given password: f865b5)",
				"Dec  4 15:18:46 vm postfix/submission/smtpd[27330]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=test",
				"Dec  4 15:18:54 vm dovecot: auth: passwd-file(admin,203.0.113.200): unknown user (SHA1 of given password: 7c4a8d)",
				"Dec  4 15:18:56 vm postfix/submission/smtpd[27330]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=test",
				"Dec  4 15:19:06 vm postfix/submission/smtpd[27330]: disconnect from unknown[203.0.113.200] ehlo=2 xclient=0/1 auth=0/2 quit=1 commands=3/6",
			},
			want: 2, recs: 2,
		},
		{
			name: "same user on two hosts of a central log are different attempts",
			lines: []string{
				"Nov 26 10:00:01 mx1 dovecot: auth: passwd-file(admin,198.51.100.9): unknown user",
				"Nov 26 10:00:01 mx2 postfix/smtpd[3003]: warning: unknown[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
			},
			want: 2, recs: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs, warns := parseAll(t, testConfig(), tt.lines...)
			if len(warns) > 0 {
				t.Errorf("warnings: %v", warns)
			}
			fails := 0
			for _, r := range recs {
				if r.Outcome == "failure" {
					fails++
					if r.Attempts < 1 {
						t.Errorf("record with attempts %d: %+v", r.Attempts, r)
					}
				}
			}
			if got := sumAttempts(recs); got != tt.want || fails != tt.recs {
				t.Errorf("got %d attempts in %d records, want %d in %d\n%+v", got, fails, tt.want, tt.recs, recs)
			}
		})
	}
}

// A postfix client that sends several messages after one AUTH logs
// sasl_username for each; that is one login.
func TestPostfixLoginOncePerConnection(t *testing.T) {
	recs, _ := parseAll(t, testConfig(),
		"Nov 26 10:00:01 mx1 postfix/submission/smtpd[4004]: 4F1A2B3C4D: client=unknown[198.51.100.20], sasl_method=PLAIN, sasl_username=joe@example.com",
		"Nov 26 10:00:02 mx1 postfix/submission/smtpd[4004]: 5F1A2B3C4D: client=unknown[198.51.100.20], sasl_method=PLAIN, sasl_username=joe@example.com",
		"Nov 26 10:00:03 mx1 postfix/submission/smtpd[4004]: disconnect from unknown[198.51.100.20] ehlo=1 auth=1 mail=2 rcpt=2 data=2 quit=1 commands=9",
	)
	if len(recs) != 1 || recs[0].Outcome != "success" || recs[0].User != "joe@example.com" || recs[0].Service != "submission" {
		t.Fatalf("want one success for joe on submission, got %+v", recs)
	}
}

// postfix's give-up on dovecot says nothing of the password: its record
// says so, for the report to keep it out of a compromise's evidence. The
// sasl_username it logs is the connection's previous answer's (a real
// postfix 3.7 under attack logged "test", the user of the failure before,
// while dovecot judged "admin"): not this attempt's user.
func TestConnectionLostIsTemporaryFailure(t *testing.T) {
	recs, warns := parseAll(t, testConfig(),
		"Nov 26 10:00:11 mx1 postfix/submission/smtpd[3004]: warning: unknown[198.51.100.10]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=joe@example.com",
	)
	if len(warns) > 0 || len(recs) != 1 {
		t.Fatalf("want one record, got %+v (warnings %v)", recs, warns)
	}
	r := recs[0]
	if r.Reason != "temporary_failure" || r.User != "" || r.IP != "198.51.100.10" || r.Method != "PLAIN" || r.Service != "submission" {
		t.Errorf("got %+v", r)
	}
}

// Two SMTP sessions of one address, as Debian 12's postfix and dovecot
// logged them under attack: postfix gave up on dovecot's answer to one
// session's second and third attempts (bob's, webmaster's) and named the
// session's first user, a stale name mailcop drops; the first unnamed
// line paired with admin's attempt, the newest. admin's own warning takes
// that attempt back and the unnamed line pairs with bob's: 4 attempts, as
// the sessions made.
func TestNamedLineTakesBackItsAttempt(t *testing.T) {
	recs, _ := parseAll(t, testConfig(),
		"Dec  4 19:23:09 vm dovecot: auth: passwd-file(test,203.0.113.200): unknown user (SHA1 of given password: f865b5)",
		"Dec  4 19:23:11 vm postfix/submission/smtpd[20217]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=test",
		"Dec  4 19:23:19 vm dovecot: auth: passwd-file(bob@example.test,203.0.113.200): Password mismatch (SHA1 of given password: 5baa61)",
		"Dec  4 19:23:19 vm dovecot: auth: passwd-file(admin,203.0.113.200): unknown user (SHA1 of given password: 7c4a8d)",
		"Dec  4 19:23:21 vm postfix/submission/smtpd[20217]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=test",
		"Dec  4 19:23:21 vm postfix/submission/smtpd[20212]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=admin",
		"Dec  4 19:23:21 vm postfix/submission/smtpd[20212]: disconnect from unknown[203.0.113.200] ehlo=2 xclient=0/1 auth=0/1 quit=1 commands=3/5",
		"Dec  4 19:23:31 vm postfix/submission/smtpd[20217]: warning: unknown[203.0.113.200]: SASL PLAIN authentication failed: Connection lost to authentication server, sasl_username=test",
		"Dec  4 19:23:31 vm postfix/submission/smtpd[20217]: disconnect from unknown[203.0.113.200] ehlo=2 xclient=0/1 auth=0/3 quit=1 commands=3/7",
		"Dec  4 19:23:36 vm dovecot: auth: passwd-file(webmaster@example.test,203.0.113.200): unknown user (SHA1 of given password: 7c4a8d)",
	)
	if n := sumAttempts(recs); n != 4 {
		t.Errorf("%d attempts, want 4: %+v", n, recs)
	}
	for _, r := range recs {
		if r.Daemon == "postfix" && r.Reason != "temporary_failure" {
			t.Errorf("a postfix line counted, though its attempt's dovecot line is there: %+v", r)
		}
	}
}

// A summary names the last user its session tried: of the lines it may
// absorb, its last one is that user's, even when another address's
// session logged a line after it.
func TestSummaryAbsorbsItsUsersLineLast(t *testing.T) {
	c := newCounter()
	var lines []item
	for _, l := range []string{
		"Nov 26 10:00:01 mx1 dovecot: auth-worker(304): pam(web,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
		"Nov 26 10:00:02 mx1 dovecot: auth-worker(305): pam(admin,203.0.113.9): pam_authenticate() failed: Authentication failure (password mismatch?)",
		"Nov 26 10:00:03 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<web>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1",
	} {
		lines = append(lines, parseItem(t, l))
	}
	for i := range lines {
		c.count(&lines[i].ev, lines[i].host, lines[i].pid, lines[i].t)
	}
	gs := c.groups[addrKey{"mx1", "203.0.113.9"}]
	if len(gs) != 2 || !gs[0].claimed || gs[0].user != "web" || gs[1].claimed {
		t.Errorf("want web's line claimed and admin's not, got %+v %+v", gs[0], gs[1])
	}
}

// parseItem parses one line as a worker does, for tests of the counter.
func parseItem(t *testing.T, line string) item {
	t.Helper()
	cfg := testConfig()
	w := newWorker(cfg)
	j := &job{data: []byte(line + "\n"), ref: cfg.Now()}
	w.block(j, "test.log", "", nil)
	if len(j.items) != 1 || !j.items[0].matched {
		t.Fatalf("%s: not one recognised line: %+v", line, j.items)
	}
	return j.items[0]
}
