package parse

import (
	"bytes"

	"github.com/mailcop/mailcop/internal/record"
)

// postfixService names the service from the syslog tag: master.cf gives
// each smtpd its own syslog_name (postfix/submission/smtpd), plain
// postfix/smtpd is port 25.
func postfixService(tag []byte, ev *event) string {
	last := bytes.LastIndexByte(tag, '/')
	if last < 0 {
		return "smtp"
	}
	prev := bytes.LastIndexByte(tag[:last], '/')
	if prev < 0 {
		return "smtp"
	}
	return ev.str(tag[prev+1 : last])
}

// isSmtpd tells whether a syslog tag is a postfix smtpd, whatever
// syslog_name the admin chose (postfix-incoming/smtpd, postfix/smtps/smtpd).
func isSmtpd(tag []byte) bool {
	return bytes.Equal(tag, []byte("smtpd")) || bytes.HasSuffix(tag, []byte("/smtpd"))
}

// parsePostfix recognises smtpd's auth lines. matched is false when the
// line is not one of them.
func parsePostfix(tag, msg []byte, ev *event) (matched bool) {
	ev.daemon = "postfix"
	ev.service = postfixService(tag, ev)
	switch {
	case hasPrefix(msg, "warning: "):
		return postfixWarning(msg[len("warning: "):], ev)
	case hasPrefix(msg, "disconnect from "):
		return postfixDisconnect(msg[len("disconnect from "):], ev)
	case hasPrefix(msg, "lost connection after AUTH"),
		hasPrefix(msg, "improper command pipelining after AUTH"),
		hasPrefix(msg, "too many errors after AUTH"),
		hasPrefix(msg, "timeout after AUTH"):
		// The attempt, if any, was counted by its SASL warning or the
		// disconnect summary; these say only how the session ended.
		ev.kind = kindIgnore
		return true
	}
	// "QUEUEID: client=host[ip], sasl_method=PLAIN, sasl_username=joe"
	if i := bytes.Index(msg, []byte("client=")); i >= 0 && i < 40 {
		rest := msg[i+len("client="):]
		if !contains(rest, "sasl_username=") {
			return false
		}
		host, rest, ok := cut(rest, ", sasl_method=")
		if !ok {
			return false
		}
		ev.ip = bracketIP(host, ev)
		method, user, ok := cut(rest, ", sasl_username=")
		if !ok {
			return false
		}
		// sasl_sender may follow; it is logged after the username.
		if j := lastIndex(user, ", sasl_sender="); j >= 0 {
			user = user[:j]
		}
		ev.method = ev.str(method)
		ev.user = ev.str(user)
		ev.kind = kindLogin
		return ev.ip != ""
	}
	return false
}

// postfixWarning handles "HOST[IP]: SASL MECH authentication failed: WHY".
func postfixWarning(msg []byte, ev *event) bool {
	if hasPrefix(msg, "SASL authentication failure:") || hasPrefix(msg, "SASL: ") {
		// Cyrus SASL's own line beside the per-client warning; no address.
		ev.kind = kindIgnore
		return true
	}
	br := bytes.IndexByte(msg, ']')
	if br < 0 {
		return false
	}
	ev.ip = bracketIP(msg[:br+1], ev)
	rest := msg[br+1:]
	if len(rest) > 0 && rest[0] == ':' && len(rest) > 1 && rest[1] >= '0' && rest[1] <= '9' {
		// "[ip]:port:" when smtpd_client_port_logging is on.
		_, rest, _ = leadingInt(rest[1:])
	}
	rest, ok := bytes.CutPrefix(rest, []byte(": SASL "))
	if !ok {
		return false
	}
	if mech, ok := bytes.CutSuffix(rest, []byte(" authentication aborted")); ok && len(mech) <= 100 {
		// The client gave up ("*") before any credentials were checked;
		// postfix still counts the AUTH command in auth=0/N.
		ev.method = ev.upper(mech)
		ev.saslWarning = true
		ev.kind = kindIgnore
		return true
	}
	if _, why, ok := cut(rest, " authentication failed: "); ok && hasPrefix(why, "Invalid base64 data") {
		// dovecot refused the client's malformed response before any
		// check (501 to the client): no attempt, but counted in auth=0/N.
		ev.saslWarning = true
		ev.kind = kindIgnore
		return true
	}
	mech, why, ok := cut(rest, " authentication failed:")
	if !ok || len(mech) == 0 || len(mech) > 40 {
		return false
	}
	ev.method = ev.upper(mech)
	ev.saslWarning = true
	why = bytes.TrimPrefix(why, []byte(" "))
	// postfix 3.x always logs the field, "(unavailable)" for none; older
	// releases never did.
	why, hasUserField := bytes.CutSuffix(why, []byte(", sasl_username=(unavailable)"))
	// The username, when logged, comes last and is the client's text; the
	// first ", sasl_username=" is therefore postfix's own.
	if i := bytes.Index(why, []byte(", sasl_username=")); i >= 0 {
		ev.user = ev.str(why[i+len(", sasl_username="):])
		why = why[:i]
		hasUserField = true
	}
	ev.reason = record.ReasonAuthFailed
	switch {
	case hasPrefix(why, "Connection lost to authentication server"):
		if !hasUserField {
			// A postfix older than the field: the same words when dovecot
			// was gone before the request, nothing tells an attempt.
			ev.kind = kindIgnore
			return true
		}
		// postfix sent the client's credentials and gave up waiting for
		// dovecot's answer (auth_failure_delay under load): an attempt.
		// The username it logs is the one of the connection's previous
		// answer, if any, not of this request.
		ev.user = ""
		ev.reason = record.ReasonTemporaryFailure
	case hasPrefix(why, "Invalid authentication mechanism"):
		// No credentials were checked.
		ev.kind = kindIgnore
		return true
	}
	ev.kind = kindAttempt
	ev.src = srcPostfix
	return ev.ip != ""
}

// postfixDisconnect reads the per-command counters postfix 3 logs:
// "unknown[ip] ehlo=1 auth=0/1 quit=1 commands=2/3".
func postfixDisconnect(msg []byte, ev *event) bool {
	br := bytes.IndexByte(msg, ']')
	if br < 0 {
		return false
	}
	ev.ip = bracketIP(msg[:br+1], ev)
	i := bytes.Index(msg[br:], []byte(" auth="))
	if i < 0 {
		ev.kind = kindIgnore
		return ev.ip != ""
	}
	counts := msg[br+i+len(" auth="):]
	ok, rest, good := leadingInt(counts)
	if !good {
		return false
	}
	all := ok
	if len(rest) > 0 && rest[0] == '/' {
		if all, rest, good = leadingInt(rest[1:]); !good {
			return false
		}
	}
	if len(rest) > 0 && rest[0] != ' ' {
		return false
	}
	ev.kind = kindDisconnect
	ev.reason = record.ReasonAuthFailed // AUTH refused before any SASL exchange: no cause logged
	ev.authOK, ev.authAll = ok, all
	return ev.ip != ""
}

// bracketIP takes the address out of postfix's "name[addr]", or
// "name[addr]:port" with smtpd_client_port_logging = yes.
func bracketIP(s []byte, ev *event) string {
	end := bytes.LastIndexByte(s, ']')
	if end < 0 {
		return ""
	}
	if port := s[end+1:]; len(port) > 0 {
		if _, ok := atoi(port[1:]); port[0] != ':' || !ok {
			return ""
		}
	}
	open := bytes.LastIndexByte(s[:end], '[')
	if open < 0 {
		return ""
	}
	return ev.addr(s[open+1 : end])
}

// postfixTalksAuth tells whether a postfix line no rule matched is about
// auth, so that it counts as unmatched (and not every line with "auth" in
// an address does).
func postfixTalksAuth(msg []byte) bool {
	return contains(msg, "SASL") || contains(msg, "sasl_") || contains(msg, " auth=") || contains(msg, " AUTH")
}
