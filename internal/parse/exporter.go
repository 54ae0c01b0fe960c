package parse

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// dovecot's event exporter (2.3.9 and later) writes one JSON object per
// event, with format = json:
//
//	{"event":"auth_request_finished","hostname":"mx1",
//	 "start_time":"2026-12-04T14:29:51.179921Z","end_time":"2026-12-04T14:29:55.186136Z",
//	 "categories":["service:auth","auth"],
//	 "fields":{"mechanism":"PLAIN","service":"imap","session":"uXtstc9hQJzLAHEH",
//	           "remote_ip":"203.0.113.7","user":"joe@example.com",...,"success":"yes"}}
//
// It reaches mailcop-parse as a line of its own (2.4's file transport, or
// mailcop-tail -listen, which receives 2.3's http-post and 2.4's unix
// socket transport), in a mailcop-tail record, or inside dovecot's log
// (transport = log: "stats: Info: {...}"). The events read:
//
//   - auth_request_finished: one per authentication request, from IMAP,
//     POP3 and postfix's SASL alike, including the failures of a session
//     that ends in a login (which the log does not show without
//     auth_verbose). "success":"yes", or a failed attempt.
//   - auth_passdb_request_finished: one per passdb that judged a request;
//     its "result" (password_mismatch, user_unknown, ...) is the reason of
//     the failed request that follows, not an attempt of its own.
//   - login_aborted (2.4): the login process's summary of a session that
//     did not log in, with auth_attempts.
//
// Any other event is not about authentication and is skipped.

// exporterPrefix starts every event the exporter writes with format=json.
const exporterPrefix = `{"event":"`

type exporterEvent struct {
	Event    string `json:"event"`
	Hostname string `json:"hostname"`
	EndTime  string `json:"end_time"`
	Fields   struct {
		User          string          `json:"user"`
		OriginalUser  string          `json:"original_user"`
		RemoteIP      string          `json:"remote_ip"`
		RemotePort    int             `json:"remote_port"`
		ProxyIP       string          `json:"real_remote_ip"` // behind a trusted proxy, the proxy's
		ProxyPort     int             `json:"real_remote_port"`
		Session       string          `json:"session"`
		Mechanism     string          `json:"mechanism"`
		Service       string          `json:"service"`
		Success       json.RawMessage `json:"success"`
		Error         string          `json:"error"`
		Result        string          `json:"result"`
		Passdb        string          `json:"passdb"`
		AuthAttempts  int             `json:"auth_attempts"`
		AuthSuccesses int             `json:"auth_successes"`
		AuthUsecs     int64           `json:"auth_usecs"`
	} `json:"fields"`
}

// exporterInLog finds the event in a line dovecot's log got from the
// exporter's log transport: "stats: Info: {...}" in dovecot's own log file
// (where "stats" reads as the tag), "dovecot: stats: {...}" through syslog.
func exporterInLog(tag, msg []byte) ([]byte, bool) {
	rest := msg
	switch string(tag) {
	case "stats":
	case "", "dovecot":
		var ok bool
		if rest, ok = bytes.CutPrefix(msg, []byte("stats: ")); !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	rest = bytes.TrimPrefix(rest, []byte("Info: "))
	return rest, hasPrefix(rest, exporterPrefix)
}

// exporter parses one exporter event; inLog tells that a log line carried
// it, whose host (maybe none) is host; otherwise the host is the event's
// hostname. It reports whether the line was an exporter event at all.
func (w *worker) exporter(line, js []byte, inLog bool, host, file string, extra []record.Field) bool {
	if !hasPrefix(js, exporterPrefix) {
		return false
	}
	name := js[len(exporterPrefix):]
	if i := bytes.IndexByte(name, '"'); i >= 0 {
		name = name[:i]
	}
	switch string(name) {
	case "auth_request_finished", "auth_passdb_request_finished", "login_aborted":
	default:
		return true // an event of something else: not ours
	}
	w.items = append(w.items, item{host: host, file: file, extra: extra})
	it := &w.items[len(w.items)-1]
	ev := &it.ev
	ev.daemon = "dovecot"
	var e exporterEvent
	if err := json.Unmarshal(js, &e); err != nil || !exporterRecord(&e, ev) {
		// An event about auth that mailcop cannot read: "unmatched".
		it.relevant = true
		it.line = text(line)
		return true
	}
	it.matched = true
	if !inLog {
		it.host = text([]byte(e.Hostname))
	}
	// The time of the verdict: end_time is RFC 3339 in UTC, microseconds.
	if t, err := time.Parse(time.RFC3339Nano, e.EndTime); err == nil {
		it.t = t.In(w.cfg.Location)
		it.timeText = w.timeText(it.t, fracDigits(e.EndTime))
	}
	if ev.kind == kindIgnore {
		w.items = w.items[:len(w.items)-1]
		return true
	}
	if w.cfg.Raw {
		it.line = text(line)
	}
	return true
}

// exporterRecord fills ev from an event; false means it lacks what the
// event must have.
func exporterRecord(e *exporterEvent, ev *event) bool {
	f := &e.Fields
	ev.src = srcExporter
	ev.session = f.Session
	ev.service = f.Service
	ev.method = strings.ToUpper(f.Mechanism)
	ev.user = f.User
	if ev.user == "" {
		ev.user = f.OriginalUser
	}
	ev.ip = canonicalIP([]byte(f.RemoteIP))
	if ev.ip == "" {
		// No client address: doveadm auth test, or a look-up of a
		// delivery, not an attempt. An address that is not one is an
		// event mailcop cannot read.
		ev.kind = kindIgnore
		return f.RemoteIP == ""
	}
	switch e.Event {
	case "auth_passdb_request_finished":
		ev.kind = kindPassdbResult
		ev.passdb = f.Passdb
		ev.reason = passdbReason(f.Result)
	case "auth_request_finished":
		if f.Mechanism == "" {
			// A userdb look-up (a delivery's, doveadm's) has no SASL
			// mechanism: no credentials were checked.
			ev.kind = kindIgnore
			return true
		}
		if success := string(f.Success); success == `"yes"` || success == "true" {
			ev.kind = kindLogin
			return true
		}
		ev.kind = kindAttempt
		if f.ProxyPort > 0 {
			ev.proxyIP = canonicalIP([]byte(f.ProxyIP))
			ev.proxyPort = f.ProxyPort
		}
		if f.Error != "" && !strings.Contains(f.Error, "authentication failed") {
			// "internal failure", a passdb or policy server down: the
			// credentials were sent and not judged.
			ev.reason = record.ReasonTemporaryFailure
		}
	case "login_aborted":
		n := f.AuthAttempts - f.AuthSuccesses
		if n <= 0 {
			ev.kind = kindIgnore
			return true
		}
		ev.kind = kindSummary
		ev.reason = record.ReasonAuthFailed
		ev.attempts = n
		// 2.4.1 names the connection's own address, the proxy's when a
		// trusted proxy passed on the client's: the counter finds the
		// client by the connection's auth requests.
		ev.proxyIP = ev.ip
		ev.proxyPort = f.RemotePort
		ev.secs = int((f.AuthUsecs + 999_999) / 1_000_000)
	}
	return true
}

// passdbReason names a passdb's result as the records do.
func passdbReason(result string) string {
	switch result {
	case "password_mismatch":
		return record.ReasonPasswordMismatch
	case "user_unknown":
		return record.ReasonUnknownUser
	case "user_disabled":
		return record.ReasonUserDisabled
	case "pass_expired":
		return record.ReasonPasswordExpired
	case "internal_failure":
		return record.ReasonTemporaryFailure
	}
	return ""
}

// fracDigits counts the digits of an RFC 3339 time's fraction.
func fracDigits(s string) int {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			break
		}
		n++
	}
	return n
}

// passdbResult is a passdb's verdict, remembered until the request it
// judged finishes.
type passdbResult struct {
	reason string
	t      time.Time
}

// resultKey is what ties a passdb's verdict to its request: the session,
// or the address and user of a request that has none (postfix's).
func resultKey(ev *event) string {
	if ev.session != "" {
		return ev.session
	}
	return "\x00" + ev.ip + "\x00" + ev.user
}

// resultWindow is how far apart a passdb's verdict and the end of its
// request may be: the exporter writes both at once. A verdict that comes
// after its request (events may arrive out of order) is left to be
// forgotten; dovecot's auth_failure_delay (2 s) keeps it from passing for
// the next attempt's.
const resultWindow = 500 * time.Millisecond

// passdb remembers a passdb's verdict for the request it judged.
func (c *counter) passdb(ev *event, t time.Time) {
	if ev.reason == "" {
		return
	}
	c.results[resultKey(ev)] = passdbResult{reason: ev.reason, t: t}
}

// exporterReason gives a failed request the reason its passdb logged.
func (c *counter) exporterReason(ev *event, t time.Time) {
	k := resultKey(ev)
	r, ok := c.results[k]
	if !ok {
		return
	}
	delete(c.results, k)
	if d := t.Sub(r.t); ev.reason == "" && d >= -resultWindow && d <= resultWindow {
		ev.reason = r.reason
	}
}
