package report

import (
	"bufio"
	"net/netip"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// fail2banTime is the stamp of a -fail2ban line: ISO 8601 with the
// record's own offset, which fail2ban's default date detector reads
// (etc/fail2ban/filter.d/mailcop.conf pins the same pattern).
const fail2banTime = "2006-01-02T15:04:05.000000-07:00"

// fail2banWriter is -fail2ban: one line per failed attempt, so that a
// fail2ban jail counting lines counts what mailcop counted, attempts and
// all. A line holds nothing an attacker chose: the address is parsed and
// written back canonical, right after the stamp, and the words after it
// are mailcop's own names, or "-". Records that are not failed attempts
// with an address and a time are not written.
type fail2banWriter struct {
	w       *bufio.Writer
	buf     []byte
	skipped int // failed attempts left out for want of an address or a time
}

// maxFail2banWeight caps the lines one record writes: a record from
// elsewhere claiming a billion attempts must not fill the disk. No
// session of a real daemon gets near it (dovecot's and postfix's limits
// are in the tens).
const maxFail2banWeight = 10000

func (f *fail2banWriter) add(r *record.Record) error {
	if r.Event != record.EventAuth || r.Outcome != record.OutcomeFailure {
		return nil
	}
	addr, err := netip.ParseAddr(r.IP)
	if err != nil {
		f.skipped++
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		f.skipped++
		return nil
	}
	n := min(max(r.Attempts, 1), maxFail2banWeight)
	line := t.AppendFormat(f.buf[:0], fail2banTime)
	line = append(line, " mailcop: failed attempt from "...)
	line = addr.Unmap().WithZone("").AppendTo(line)
	line = append(line, " service="...)
	line = appendName(line, r.Service)
	line = append(line, " reason="...)
	line = appendName(line, r.Reason)
	line = append(line, '\n')
	f.buf = line
	for range n {
		if _, err := f.w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// appendName appends a service or reason when it is a plain lower-case
// name, as mailcop-parse writes them, and "-" otherwise: those fields can
// come from a log (postfix's syslog_name) or from a user's jq.
func appendName(b []byte, name string) []byte {
	if name == "" || len(name) > 32 {
		return append(b, '-')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' && c != '.' {
			return append(b, '-')
		}
	}
	return append(b, name...)
}
