package parse

import (
	"testing"
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
