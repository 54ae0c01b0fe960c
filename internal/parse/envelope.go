package parse

import "time"

// envelope is what a log line's prefix says: when, on which host, which
// program. The message after the prefix is returned beside it.
type envelope struct {
	time       time.Time // zero when the line carries no time
	fracDigits int       // digits of fraction the log wrote (0-9), kept in output
	host       string    // "" when the format has none (dovecot log_path)
	program    string    // syslog tag without pid: "dovecot", "postfix/submission/smtpd", "imap-login", "auth"
	pid        int       // 0 when not logged
}

// clock turns year-less, zone-less stamps into instants (see Config).
type clock struct {
	year int            // fixed year, or 0 to infer
	loc  *time.Location // zone of stamps that carry none
	ref  time.Time      // reference for inference: file mtime or now
	last time.Time      // previous stamp, to walk across New Year
}

// splitEnvelope recognises the line's prefix. ok is false when no known
// prefix matches; msg is then the whole line.
func (c *clock) splitEnvelope(line []byte) (env envelope, msg []byte, ok bool) {
	return envelope{}, line, false
}
