package parse

import (
	"bytes"
)

// dovecotTag tells whether a syslog tag is dovecot's (or one of its
// processes' when dovecot logs through syslog with its own names). Dovecot
// text under any other program's tag is not dovecot's and is not read.
func dovecotTag(tag []byte) bool {
	switch string(tag) {
	case "dovecot", "dovecot-auth", "auth", "auth-worker", "imap", "pop3", "lmtp",
		"managesieve", "submission", "imap-login", "pop3-login", "submission-login",
		"managesieve-login":
		return true
	}
	return false
}

// parseDovecot recognises dovecot's auth lines. tag is the syslog tag
// ("dovecot", "imap-login", ...) or "" for dovecot's own log files.
func parseDovecot(tag, msg []byte, ev *event) (matched bool) {
	ev.daemon = "dovecot"
	proc := tag
	if string(tag) == "dovecot" || string(tag) == "dovecot-auth" {
		proc = nil
	}
	proc, msg = stripPrefixes(proc, msg)
	if proc != nil && !hasPrefix(proc, "auth") && !bytes.HasSuffix(proc, []byte("-login")) ||
		proc == nil && tag == nil && !hasPrefix(msg, "auth") && !hasPrefix(msg, "pam_unix(dovecot:") {
		// A mail process's line (imap, lmtp: a delivery's "unknown user"
		// is not an attack), or text that is not dovecot's at all.
		ev.offTopic = true
		return false
	}
	switch {
	case hasPrefix(msg, "pam_unix(dovecot:"):
		return pamUnix(msg, ev)
	case bytes.HasSuffix(proc, []byte("-login")):
		ev.service = ev.str(proc[:len(proc)-len("-login")])
		return loginLine(msg, ev)
	case hasPrefix(msg, "Debug: "):
		ev.kind = kindIgnore
		return true
	case hasPrefix(msg, "auth client ") && bytes.HasSuffix(msg, []byte(" pending requests")):
		// postfix hung up while dovecot still held its requests: postfix's
		// "Connection lost to authentication server" warning, which names
		// the address and user, counts each of them.
		ev.kind = kindIgnore
		return true
	}
	return authAttempt(msg, ev)
}

// stripPrefixes removes the prefixes dovecot itself writes before a
// message — "auth: ", "auth-worker(22401): ", "auth(default): ", "Info: ",
// 2.3's "conn unix:auth-worker (uid=143): auth-worker<13247>: " — and
// returns the last process name seen. Only dovecot-shaped prefixes go:
// a 2.4 "auth(user,ip,sasl:plain)<session>: " holds a username and stays.
func stripPrefixes(proc, msg []byte) ([]byte, []byte) {
	for {
		switch {
		case hasPrefix(msg, "dovecot: "):
			msg = msg[len("dovecot: "):]
			continue
		case hasPrefix(msg, "conn "):
			i := bytes.Index(msg, []byte("): auth-worker<"))
			if i < 0 {
				return proc, msg
			}
			j := bytes.Index(msg[i:], []byte(">: "))
			if j < 0 {
				return proc, msg
			}
			msg = msg[i+j+3:]
			continue
		}
		if l := stripLevel(msg); len(l) != len(msg) {
			msg = l
			continue
		}
		i := 0
		for i < len(msg) && (msg[i] >= 'a' && msg[i] <= 'z' || msg[i] >= '0' && msg[i] <= '9' || msg[i] == '-') {
			i++
		}
		if i == 0 || i >= len(msg) {
			return proc, msg
		}
		name := msg[:i]
		switch {
		case hasPrefix(msg[i:], ": ") && processName(name):
			proc, msg = name, msg[i+2:]
		case msg[i] == '(' && processName(name):
			// "(22401)" or "(default)": a pid or 2.0's auth name.
			j := i + 1
			for j < len(msg) && (msg[j] >= 'a' && msg[j] <= 'z' || msg[j] >= '0' && msg[j] <= '9') {
				j++
			}
			if j == i+1 || !hasPrefix(msg[j:], "): ") {
				return proc, msg
			}
			proc, msg = name, msg[j+3:]
		default:
			return proc, msg
		}
	}
}

// processName tells dovecot's process names, as they prefix messages.
func processName(name []byte) bool {
	switch string(name) {
	case "auth", "auth-worker", "imap", "pop3", "lmtp", "managesieve", "submission":
		return true
	}
	return bytes.HasSuffix(name, []byte("-login"))
}

// stripLevel drops dovecot's "Info: " style level of log_path files.
func stripLevel(msg []byte) []byte {
	if len(msg) == 0 {
		return msg
	}
	switch msg[0] {
	case 'I', 'W', 'E', 'F', 'P':
	default:
		return msg
	}
	for _, l := range []string{"Info: ", "Warning: ", "Error: ", "Fatal: ", "Panic: "} {
		if hasPrefix(msg, l) {
			return msg[len(l):]
		}
	}
	return msg
}

// verdicts are what a passdb says of a failed attempt, with the reason.
var verdicts = []struct{ text, reason string }{
	{": unknown user", "unknown_user"},
	{": Password mismatch", "password_mismatch"},
	{": password mismatch", "password_mismatch"},
	{": invalid credentials", "invalid_credentials"},
	{": pam_authenticate() failed: ", ""},
	{": Login failed", "auth_failed"},
}

// authAttempt reads the auth process's verdict on one attempt:
// "sql(USER,IP[,<session>]): Password mismatch" (2.0-2.3) or
// "auth(USER,IP,sasl:plain)<session>: sql: Password mismatch" (2.4).
// USER is the client's text and may hold anything, "): unknown user"
// included. Dovecot's text anchors both ends: the passdb name on the left,
// the verdict on the right — the last verdict, since after it only
// dovecot writes (except a clear password, which is cut off first).
func authAttempt(msg []byte, ev *event) bool {
	limit := len(msg)
	if i := bytes.Index(msg, []byte(" (given password:")); i >= 0 {
		limit = i
	}
	at, reason := -1, ""
	for _, v := range verdicts {
		if i := lastIndex(msg[:limit], v.text); i > at {
			at, reason = i, v.reason
		}
	}
	if at < 0 {
		return false
	}
	prefix, verdict := msg[:at], msg[at+2:]
	if reason == "" {
		why := verdict[len("pam_authenticate() failed: "):]
		switch {
		case hasPrefix(why, "User not known"):
			reason = "unknown_user"
		case bytes.Contains(bytes.ToLower(why), []byte("password mismatch")):
			reason = "password_mismatch"
		default:
			reason = "auth_failed"
		}
	}
	// 2.4 puts the passdb between the prefix and the verdict: "...: sql".
	passdb := []byte(nil)
	if i := lastIndex(prefix, ": "); i >= 0 && isWord(prefix[i+2:]) {
		passdb = prefix[i+2:]
		prefix = stripLevelSuffix(prefix[:i])
	}
	session := ""
	if n := len(prefix); n > 0 && prefix[n-1] == '>' {
		lt := bytes.LastIndexByte(prefix, '<')
		if lt < 0 {
			return false
		}
		session = ev.text(prefix[lt+1 : n-1])
		prefix = prefix[:lt]
	}
	open := 0
	for open < len(prefix) && (prefix[open] >= 'a' && prefix[open] <= 'z' || prefix[open] >= '0' && prefix[open] <= '9' || prefix[open] == '-' || prefix[open] == '_') {
		open++
	}
	if open == 0 || open >= len(prefix) || prefix[open] != '(' || prefix[len(prefix)-1] != ')' {
		return false
	}
	name := prefix[:open]
	args := prefix[open+1 : len(prefix)-1]
	user, ip, extra, ok := userAndIP(args, ev)
	if !ok {
		if bytes.IndexByte(args, ',') < 0 || bytes.HasSuffix(args, []byte(",")) {
			// A userdb look-up without a client address: a delivery
			// (lmtp) asking whether a mailbox exists, not an attempt.
			ev.kind = kindIgnore
			return true
		}
		return false
	}
	if session == "" && hasPrefix(extra, "<") && extra[len(extra)-1] == '>' {
		session = ev.text(extra[1 : len(extra)-1])
	}
	if m, ok := bytes.CutPrefix(extra, []byte("sasl:")); ok {
		ev.method = ev.upper(m)
	}
	if passdb == nil {
		passdb = name
	}
	ev.passdb = ev.str(passdb)
	ev.user, ev.ip, ev.session = user, ip, session
	ev.pwHash = passwordHash(verdict)
	ev.src = srcDovecotAuth
	ev.kind = kindAttempt
	ev.reason = reason
	return true
}

// userAndIP splits "USER,IP[,EXTRA]": the fields after the user are
// dovecot's, so the address is found from the right.
func userAndIP(args []byte, ev *event) (user, ip string, extra []byte, ok bool) {
	last := bytes.LastIndexByte(args, ',')
	if last < 0 {
		return "", "", nil, false
	}
	if a := canonicalIP(args[last+1:]); a != "" {
		return ev.text(args[:last]), a, nil, true
	}
	prev := bytes.LastIndexByte(args[:last], ',')
	if prev < 0 {
		return "", "", nil, false
	}
	if a := canonicalIP(args[prev+1 : last]); a != "" {
		return ev.text(args[:prev]), a, args[last+1:], true
	}
	return "", "", nil, false
}

func stripLevelSuffix(b []byte) []byte {
	for _, l := range []string{": Info", ": Warning", ": Error", ": Debug"} {
		if bytes.HasSuffix(b, []byte(l)) {
			return b[:len(b)-len(l)]
		}
	}
	return b
}

func isWord(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return len(b) > 0
}

// passwordHash keeps the hash prefix dovecot logs with
// auth_verbose_passwords=sha1 ("(SHA1 of given password: f638ff)").
func passwordHash(verdict []byte) string {
	i := bytes.Index(verdict, []byte(" of given password: "))
	if i < 0 {
		return ""
	}
	h := verdict[i+len(" of given password: "):]
	n := 0
	for n < len(h) && n < 128 && isHex(h[n]) {
		n++
	}
	return string(h[:n])
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// pamUnix reads PAM's own line under dovecot:
// "pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0
// tty=dovecot ruser=NAME rhost=ADDR [ user=NAME]". NAME is the client's
// text and may itself hold " rhost="; the real rhost is the last one whose
// value is an address.
func pamUnix(msg []byte, ev *event) bool {
	_, rest, ok := cut(msg, "): ")
	if !ok || !hasPrefix(rest, "authentication failure;") {
		ev.kind = kindIgnore
		return true
	}
	ev.src = srcPAM
	ev.kind = kindAttempt
	ev.reason = "auth_failed"
	end := len(rest)
	for end > 0 {
		i := lastIndex(rest[:end], "rhost=")
		if i < 0 {
			return false
		}
		val := rest[i+len("rhost="):]
		tail := []byte(nil)
		if j := bytes.IndexByte(val, ' '); j >= 0 {
			val, tail = val[:j], val[j:]
		}
		if ip := canonicalIP(val); ip != "" && (i == 0 || rest[i-1] == ' ') {
			ev.ip = ip
			if u, ok := bytes.CutPrefix(bytes.TrimLeft(tail, " "), []byte("user=")); ok {
				ev.user = ev.str(u)
			} else if k := bytes.Index(rest[:i], []byte("ruser=")); k >= 0 {
				ev.user = ev.str(bytes.TrimSuffix(rest[k+len("ruser="):i], []byte(" ")))
			}
			return true
		}
		end = i
	}
	return false
}

// loginLine reads the login processes' lines (imap-login, pop3-login,
// submission-login, managesieve-login).
func loginLine(msg []byte, ev *event) bool {
	if hasPrefix(msg, "Login: ") || hasPrefix(msg, "Logged in: ") {
		_, fields, _ := cut(msg, ": ")
		loginFields(fields, ev)
		ev.kind = kindLogin
		return ev.ip != ""
	}
	if !isDisconnect(msg) {
		return false
	}
	head, fields := splitFields(msg)
	if fields == nil {
		return false
	}
	loginFields(fields, ev)
	if ev.ip == "" {
		return false
	}
	return disconnectReason(head, ev)
}

// isDisconnect tells a login process's end-of-session line.
func isDisconnect(msg []byte) bool {
	return hasPrefix(msg, "Disconnected") || hasPrefix(msg, "Aborted login") ||
		hasPrefix(msg, "Login aborted") || hasPrefix(msg, "Client has quit") ||
		hasPrefix(msg, "Remote closed") || hasPrefix(msg, "Connection closed")
}

// splitFields cuts a disconnect line into the reason (dovecot's text) and
// the "user=<...>, method=..., rip=..." fields. The reason comes first
// and is dovecot's, so the first "): user=<" (or method=, rip=) is the
// real start of the fields.
func splitFields(msg []byte) (head, fields []byte) {
	best := -1
	for _, sep := range []string{": user=<", ": method=", ": rip="} {
		if i := bytes.Index(msg, []byte(sep)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return msg, nil
	}
	return msg[:best], msg[best+2:]
}

// loginFields reads "user=<NAME>, method=M, rip=A, lip=B, ..., session=<S>".
// NAME is the client's text and may hold ">, rip=6.6.6.6"; every field
// after it is dovecot's, so each is taken at its last occurrence.
func loginFields(f []byte, ev *event) {
	rip := -1
	for i := len(f); i > 0; {
		j := lastIndex(f[:i], "rip=")
		if j < 0 {
			break
		}
		if j == 0 || (j >= 2 && f[j-2] == ',' && f[j-1] == ' ') {
			rip = j
			break
		}
		i = j
	}
	if rip < 0 {
		return
	}
	val := f[rip+len("rip="):]
	if k := bytes.IndexByte(val, ','); k >= 0 {
		val = val[:k]
	}
	ev.ip = ev.addr(bytes.TrimSpace(val))
	after := f[rip:]
	if k := lastIndex(after, "session=<"); k >= 0 {
		s := after[k+len("session=<"):]
		if e := bytes.IndexByte(s, '>'); e >= 0 {
			ev.session = ev.text(s[:e])
		}
	}
	head := bytes.TrimSuffix(f[:rip], []byte(", "))
	if k := lastIndex(head, "method="); k == 0 || k >= 2 && hasPrefix(head[k-2:], ", ") {
		ev.method = ev.str(head[k+len("method="):])
		head = bytes.TrimSuffix(head[:k], []byte(", "))
	}
	if u, ok := bytes.CutPrefix(head, []byte("user=<")); ok && len(u) > 0 && u[len(u)-1] == '>' {
		ev.user = ev.str(u[:len(u)-1])
	}
}

// disconnectReason reads why a login session ended and how many attempts
// failed. Dovecot 2.2-2.3 write "(auth failed, 3 attempts in 16 secs)",
// 2.4 "(auth failed, 3 attempts in 16 secs) (auth_failed)", and a few
// causes carry no count, standing for one attempt.
func disconnectReason(head []byte, ev *event) bool {
	ev.kind = kindIgnore
	ev.secs = -1
	if bytes.Contains(head, []byte("no auth attempts")) {
		return true
	}
	if i := bytes.Index(head, []byte(" attempts")); i >= 0 {
		open := bytes.LastIndexByte(head[:i], '(')
		if open < 0 {
			return false
		}
		inner := head[open+1:]
		why, count, ok := cut(inner, ", ")
		// The reason may itself hold ", " (never in dovecot's own list);
		// the count is what follows the last ", " before " attempts".
		if k := lastIndex(inner[:i-open-1], ", "); k >= 0 {
			why, count, ok = inner[:k], inner[k+2:], true
		}
		if !ok {
			return false
		}
		n, rest, good := leadingInt(count)
		if !good {
			return false
		}
		if rest, ok := bytes.CutPrefix(rest, []byte(" attempts in ")); ok {
			if s, _, ok := leadingInt(rest); ok {
				ev.secs = s
			}
		}
		reason, counted := failureReason(why)
		if reason == "" {
			return true
		}
		if !counted {
			// The last attempt was left unfinished by the client; the
			// ones before it failed.
			n--
		}
		if n <= 0 {
			return true
		}
		ev.kind = kindSummary
		ev.reason = reason
		ev.attempts = n
		return true
	}
	// Causes logged without a count: each stands for one attempt.
	for _, c := range []struct{ text, reason string }{
		{"(tried to use disallowed plaintext auth)", "plaintext_disabled"},
		{"(tried to use disabled plaintext auth)", "plaintext_disabled"},
		{"(tried to use disallowed cleartext auth)", "plaintext_disabled"},
		{"(proxy dest auth failed)", "proxy_auth_failed"},
		{"(user disabled)", "user_disabled"},
		{"(login disabled)", "login_disabled"},
		{"(password expired)", "password_expired"},
		{"(sent invalid base64 in response)", "invalid_base64"},
	} {
		if bytes.Contains(head, []byte(c.text)) {
			ev.kind = kindSummary
			ev.reason = c.reason
			ev.attempts = 1
			return true
		}
	}
	if i := bytes.Index(head, []byte("(tried to use disallowed ")); i >= 0 && bytes.Contains(head[i:], []byte(" auth)")) {
		ev.kind = kindSummary
		ev.reason = "auth_disallowed"
		ev.attempts = 1
		return true
	}
	for _, known := range []string{
		"disconnected before auth was ready", "client didn't finish SASL auth",
		"disconnected while authenticating", "disconnected while finishing login",
		"aborted authentication", "auth process communication failure",
		"internal failure", "TLS handshake", "cert", "tried to use unsupported auth mechanism",
		"auth service reported temporary failure", "Logged out", "Inactivity",
	} {
		if bytes.Contains(head, []byte(known)) {
			return true
		}
	}
	if bytes.IndexByte(head, '(') < 0 {
		// "Disconnected: Connection closed" and the like: nothing about auth.
		return true
	}
	return false
}

// failureReason maps dovecot's last-failure text to a reason. counted is
// false when the last attempt was left unfinished by the client.
func failureReason(why []byte) (reason string, counted bool) {
	switch string(why) {
	case "auth failed":
		return "auth_failed", true
	case "authorization failed":
		return "authorization_failed", true
	case "user disabled":
		return "user_disabled", true
	case "login disabled":
		return "login_disabled", true
	case "password expired":
		return "password_expired", true
	case "sent invalid base64 in response":
		return "invalid_base64", true
	case "tried to use disallowed cleartext auth", "tried to use disallowed plaintext auth":
		return "plaintext_disabled", true
	case "proxy dest auth failed", "proxy dest authentication failure":
		return "proxy_auth_failed", true
	case "auth aborted by client", "client didn't finish SASL auth":
		return "auth_failed", false
	}
	// Server-side causes (temporary failure, communication failure,
	// connection limit, referrals, unsupported mechanism): not the client's.
	return "", true
}
