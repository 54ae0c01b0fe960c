package parse

import "bytes"

// needles are the words every line mailcop reads contains; a line with
// none of them is skipped without being looked at.
var needles = [...]string{
	"auth",     // auth failed, auth:, auth-worker, authentication, auth=S/T
	"-login",   // dovecot's login processes: imap-login, pop3-login, ... (Login:, failures)
	"sasl_",    // postfix's sasl_username= of a successful login
	"NOTICE",   // fail2ban's Ban, Restore Ban and Unban notices (0.9 and later)
	"WARNING",  // the same in fail2ban 0.8
	journalKey, // journald's byte-array messages hide their words: the key, however spaced
}

const journalKey = `MESSAGE"`

// worthDecoding tells whether a JSON line found by the finder may hold an
// event: a journald entry is found by its MESSAGE key, whatever it says,
// and only one whose message is an array of bytes (or that holds another
// needle) is worth decoding.
func worthDecoding(line []byte) bool {
	for _, w := range needles {
		if w != journalKey && contains(line, w) {
			return true
		}
	}
	i := bytes.Index(line, []byte(`"MESSAGE"`))
	if i < 0 {
		return false
	}
	v := bytes.TrimLeft(line[i+len(`"MESSAGE"`):], " \t")
	if len(v) == 0 || v[0] != ':' {
		return false
	}
	v = bytes.TrimLeft(v[1:], " \t")
	return len(v) > 0 && v[0] == '['
}
