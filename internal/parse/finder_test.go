package parse

import (
	"bytes"
	"strings"
	"testing"
)

// The finder must find every line that holds a needle, whatever bytes it
// picked as pivots, and only those.
func TestFinder(t *testing.T) {
	lines := []string{
		"Nov 25 06:25:01 mx1 postfix/qmgr[12]: 4F1A: removed",
		"Nov 25 06:25:02 mx1 dovecot: auth: sql(a,1.2.3.4): unknown user",
		"hhhhhhhhhhhhhhhhhhhhhhhhhhhh no needle here",
		"Nov 25 06:25:03 mx1 dovecot: imap-login: Login: user=<a>",
		"Nov 25 06:25:04 mx1 postfix/smtpd[9]: 4F1A: client=x[1.2.3.4], sasl_method=PLAIN, sasl_username=a",
		"2026-11-25 10:24:51,123 fail2ban.actions [812]: NOTICE [dovecot] Ban 1.2.3.4",
		"2026-11-25 10:24:51,123 fail2ban.actions [812]: NOTICE [dovecot] Unban 1.2.3.4",
		"aut", "uth", "-logi", "sasl", "NOTIC", "WARNIN",
		`{"MESSAGE":[97,117,116,104]}`,
	}
	want := map[int]bool{1: true, 3: true, 4: true, 5: true, 6: true, 13: true}
	data := []byte(strings.Join(lines, "\n") + "\n")
	for _, sample := range [][]byte{nil, data, bytes.Repeat([]byte("h-_IW\""), 100)} {
		f := newFinder(needles[:]...)
		f.tune(sample)
		f.start()
		got := map[int]bool{}
		for pos := 0; pos < len(data); {
			hit := f.first(data, pos)
			if hit == len(data) {
				break
			}
			got[bytes.Count(data[:hit], []byte{'\n'})] = true
			pos = hit + 1
		}
		for i := range lines {
			if got[i] != want[i] {
				t.Errorf("tuned on %d bytes: line %d (%q): found %v, want %v", len(sample), i, lines[i], got[i], want[i])
			}
		}
	}
}
