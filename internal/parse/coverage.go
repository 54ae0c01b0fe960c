package parse

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/mailcop/mailcop/internal/record"
)

// What the log cannot show. With dovecot's default logging (no
// auth_verbose), the auth process logs no failure at all: only the login
// process's summary of a session does, and a session that ends in a login
// has no summary of its failures. A brute force that guesses right within
// one connection then looks like a clean login. Nothing can count those
// attempts, but a log with login-process lines and no auth-process line
// says that it is such a log.

// visibility is what one host's log showed of dovecot's processes.
type visibility struct {
	login int // login-process lines: summaries and logins
	auth  int // auth-process lines: auth_verbose verdicts, PAM's, events
}

// note counts a recognised dovecot line for the host's visibility.
func (c *counter) note(ev *event, host string) {
	if ev.daemon != "dovecot" {
		return
	}
	v := c.visibility(host)
	switch {
	case ev.kind == kindAttempt, ev.kind == kindPassdbResult:
		v.auth++
		if ev.src == srcExporter && host != "" {
			// The exporter names the host where dovecot's own log file
			// names none.
			c.visibility("").auth++
		}
	case ev.kind == kindSummary || ev.kind == kindLogin:
		v.login++
	}
}

func (c *counter) visibility(host string) *visibility {
	v := c.seen[host]
	if v == nil {
		v = &visibility{}
		c.seen[host] = v
	}
	return v
}

// blind returns the hosts whose log has dovecot login-process lines and no
// auth-process line, sorted.
func (c *counter) blind() []string {
	var hosts []string
	for h, v := range c.seen {
		if v.login > 0 && v.auth == 0 {
			hosts = append(hosts, h)
		}
	}
	sort.Strings(hosts)
	return hosts
}

// CoverageReason is the reason of the coverage record mailcop-parse
// writes (with -unmatched) for a host whose log shows no dovecot
// auth-process line: the report's coverage section reads it.
const CoverageReason = "auth_not_logged"

// blindHint is what -v says of such a log, and what to do about it.
const blindHint = "dovecot's login processes logged and its auth process did not: " +
	"the failed attempts of a session that ends in a login are invisible " +
	"(a brute force that guesses right within one connection looks like a clean login); " +
	"auth_verbose = yes shows them, and so does any auth_verbose_passwords other than no " +
	"(sha1:6 also gives pw_hash)"

// Finish ends the input: with -unmatched it writes a coverage record per
// host whose log has dovecot login-process lines and no auth-process line
// ({"event":"coverage","daemon":"dovecot","reason":"auth_not_logged"}).
func (p *Parser) Finish() error {
	if !p.cfg.Unmatched {
		return nil
	}
	for _, h := range p.counter.blind() {
		p.rec.Reset()
		p.rec.Host = h
		p.rec.Daemon = "dovecot"
		p.rec.Event = record.EventCoverage
		p.rec.Reason = CoverageReason
		if err := p.out(); err != nil {
			return err
		}
	}
	return nil
}

// writeVerbose prints -v's counts, and a hint when the log cannot show
// every attempt.
func (p *Parser) writeVerbose(w io.Writer) {
	s := p.stats
	fmt.Fprintf(w, "%d lines, %d about auth, %d records: %d failed attempts, %d logins; %d unmatched, %d unusable\n",
		s.Lines, s.Candidates, s.Records, s.Failures, s.Logins, s.Unmatched, s.Bad)
	blind := p.counter.blind()
	if len(blind) == 0 {
		return
	}
	where := "this log"
	if named := strings.Join(blind, ", "); named != "" {
		where = named
	}
	fmt.Fprintf(w, "hint: %s: %s\n", where, blindHint)
}
