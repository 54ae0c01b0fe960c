package parse

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/mailcop/mailcop/internal/record"
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

// dovecotLine tells whether a line under syslog tag is dovecot's: one of
// dovecot's own tags, or any other that is not postfix's when the message
// starts with a dovecot process's prefix ("imap-login: ", "auth: ",
// "auth-worker(12): "): a second dovecot instance logs under its
// instance_name, which the admin chose.
func dovecotLine(tag, msg []byte) bool {
	if dovecotTag(tag) {
		return true
	}
	if isSmtpd(tag) {
		return false
	}
	i := 0
	for i < len(msg) && (msg[i] >= 'a' && msg[i] <= 'z' || msg[i] >= '0' && msg[i] <= '9' || msg[i] == '-') {
		i++
	}
	return i > 0 && i < len(msg) && (msg[i] == ':' || msg[i] == '(') && processName(msg[:i])
}

// parseDovecot recognises dovecot's auth lines. tag is the syslog tag
// ("dovecot", "imap-login", ...) or "" for dovecot's own log files.
func parseDovecot(tag, msg []byte, ev *event) (matched bool) {
	ev.daemon = "dovecot"
	proc := tag
	if !processName(tag) {
		// "dovecot", "dovecot-auth" or an instance_name: the process
		// is named in the message.
		proc = nil
	}
	proc, msg = stripPrefixes(proc, msg)
	if proc != nil && !hasPrefix(proc, "auth") && !bytes.HasSuffix(proc, []byte("-login")) ||
		proc == nil && tag == nil && !hasPrefix(msg, "auth") && !isPAMLine(msg) {
		// A mail process's line (imap, lmtp: a delivery's "unknown user"
		// is not an attack), or text that is not dovecot's at all.
		ev.offTopic = true
		return false
	}
	switch {
	case isPAMLine(msg):
		return pamLine(msg, ev)
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
	{": unknown user", record.ReasonUnknownUser},
	{": Password mismatch", record.ReasonPasswordMismatch},
	{": password mismatch", record.ReasonPasswordMismatch},
	{": invalid credentials", record.ReasonInvalidCredentials},
	{": pam_authenticate() failed: ", ""},
	{": Login failed", record.ReasonAuthFailed},
}

// authAttempt reads the auth process's verdict on one attempt:
// "sql(USER,IP[,<session>]): Password mismatch" (2.0-2.3) or
// "auth(USER,IP,sasl:plain)<session>: sql: Password mismatch" (2.4).
// USER is the client's text and may hold anything, "): unknown user"
// included. Dovecot's text anchors both ends: the passdb name on the left,
// the verdict on the right — the last verdict, since after it only
// dovecot writes, except a clear password (auth_verbose_passwords=plain),
// which is the client's text too. Dovecot writes it last, as
// " (given password: PW)", so each " (given password:" after which the
// line ends as dovecot ends it is a place the verdict may end; so is the
// end of the line. Where two readings name different addresses, the
// client chose one of them, and the line is not read at all.
func authAttempt(msg []byte, ev *event) bool {
	if bytes.HasSuffix(msg, []byte(": Invalid base64 data in initial response")) ||
		bytes.HasSuffix(msg, []byte(": Invalid base64 data in continued response")) {
		// The client's malformed SASL input, refused before any check.
		ev.kind = kindIgnore
		return true
	}
	if i := bytes.Index(msg, []byte(disallowedChars)); i >= 0 {
		return disallowedUsername(msg, i, ev)
	}
	const marker = " (given password:"
	if !bytes.Contains(msg, []byte(marker)) {
		return authAttemptUpTo(msg, len(msg), ev)
	}
	var best event
	have := false
	agree := func(limit int) bool {
		e := *ev
		if !authAttemptUpTo(msg, limit, &e) {
			return true
		}
		if !have {
			best, have = e, true
			return true
		}
		return best.kind != kindAttempt || e.kind != kindAttempt || best.ip == e.ip && best.user == e.user && best.reason == e.reason
	}
	// The last cut first: it is where dovecot wrote its verdict.
	end := len(msg)
	for range maxPasswordCuts {
		i := lastIndex(msg[:end], marker)
		if i < 0 {
			break
		}
		end = i
		if endsLikePassword(msg[i+len(marker):]) && !agree(i) {
			return false
		}
	}
	if lastIndex(msg[:end], marker) >= 0 {
		// More cuts than a username holds: the password's, and dovecot's
		// own may not have been tried.
		return false
	}
	if !agree(len(msg)) || !have {
		return false
	}
	*ev = best
	return true
}

// disallowedChars is how the auth process refuses a username with a
// character outside auth_username_chars (2.3 and 2.4 alike).
const disallowedChars = "Username character disallowed by auth_username_chars: "

// disallowedUsername reads an attempt that ended before any passdb: the
// mechanism refused the username, "plain(?,IP,<session>): Username
// character disallowed by auth_username_chars: 0x3e (username: x>y)"
// (2.3), "auth(?,IP,sasl:plain)<session>: plain: Username ..." (2.4).
// The first anchor is dovecot's: before it stands the prefix, which holds
// no username (or one that passed the check, so without spaces); the
// username comes after it and may repeat it.
func disallowedUsername(msg []byte, at int, ev *event) bool {
	prefix, ok := bytes.CutSuffix(msg[:at], []byte(": "))
	if !ok {
		return false
	}
	prefix = bytes.TrimSuffix(prefix, []byte(": login user")) // the authorization id of PLAIN
	mech := []byte(nil)
	if i := lastIndex(prefix, ": "); i >= 0 && isWord(prefix[i+2:]) {
		mech = prefix[i+2:]
		prefix = stripLevelSuffix(prefix[:i])
	}
	rest := msg[at+len(disallowedChars):]
	const name = " (username: "
	if len(rest) < 4+len(name)+1 || !hasPrefix(rest, "0x") || !hasPrefix(rest[4:], name) || rest[len(rest)-1] != ')' {
		return false
	}
	if !authPrefix(prefix, ev) || ev.kind != kindAttempt {
		return false
	}
	if mech == nil {
		mech = []byte(ev.passdb) // 2.3 names the prefix after the mechanism
	}
	if ev.method == "" {
		ev.method = ev.upper(mech)
	}
	ev.passdb = ""
	ev.user = text(rest[4+len(name) : len(rest)-1])
	ev.reason = record.ReasonUsernameDisallowed
	return true
}

// maxPasswordCuts bounds the readings tried of one line: a username is at
// most 64 bytes in dovecot's prefix, so only a few cuts can be in it.
const maxPasswordCuts = 8

// endsLikePassword tells whether what follows a " (given password:" ends
// as dovecot ends a logged password.
func endsLikePassword(rest []byte) bool {
	return bytes.HasSuffix(rest, []byte(")")) ||
		bytes.HasSuffix(rest, []byte(") - trying the next passdb")) ||
		bytes.HasSuffix(rest, []byte(") - trying the next userdb"))
}

// authAttemptUpTo is authAttempt with the verdict ending before limit.
func authAttemptUpTo(msg []byte, limit int, ev *event) bool {
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
			reason = record.ReasonUnknownUser
		case bytes.Contains(bytes.ToLower(why), []byte("password mismatch")):
			reason = record.ReasonPasswordMismatch
		default:
			reason = record.ReasonAuthFailed
		}
	}
	// 2.4 puts the passdb between the prefix and the verdict: "...: sql".
	passdb := []byte(nil)
	if i := lastIndex(prefix, ": "); i >= 0 && isWord(prefix[i+2:]) {
		passdb = prefix[i+2:]
		prefix = stripLevelSuffix(prefix[:i])
	}
	if !authPrefix(prefix, ev) {
		return false
	}
	if ev.kind == kindIgnore {
		return true
	}
	if passdb != nil {
		ev.passdb = ev.str(passdb)
	}
	ev.pwHash = passwordHash(verdict)
	ev.reason = reason
	return true
}

// authPrefix reads the auth process's request prefix into ev: 2.0-2.3's
// "sql(USER,IP[,master][,<session>])", 2.4's "auth(USER,IP,sasl:plain
// [,master])<session>", and 2.4's auth-worker form with the worker's pid
// and request number, "auth-worker(USER,IP,sasl:plain)<pid><session>:
// request [7]". A look-up without a client address, or for a mail
// delivery, is not an attempt: ev.kind is then kindIgnore.
func authPrefix(prefix []byte, ev *event) bool {
	worker := false
	if n := len(prefix); n > 0 && prefix[n-1] == ']' {
		i := lastIndex(prefix, ": request [")
		if i < 0 {
			return false
		}
		if _, ok := atoi(prefix[i+len(": request [") : n-1]); !ok {
			return false
		}
		prefix, worker = prefix[:i], true
	}
	session := []byte(nil)
	if n := len(prefix); n > 0 && prefix[n-1] == '>' {
		lt := bytes.LastIndexByte(prefix, '<')
		if lt < 0 {
			return false
		}
		session = prefix[lt+1 : n-1]
		prefix = prefix[:lt]
		if worker {
			// "<pid>" first, then the session's "<id>" if there is one.
			if n := len(prefix); n > 0 && prefix[n-1] == '>' {
				lt := bytes.LastIndexByte(prefix, '<')
				if lt < 0 {
					return false
				}
				prefix = prefix[:lt]
			} else {
				session = nil
			}
		}
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
	for len(extra) > 0 {
		field := extra
		if i := bytes.IndexByte(extra, ','); i >= 0 {
			field, extra = extra[:i], extra[i+1:]
		} else {
			extra = nil
		}
		switch {
		case session == nil && hasPrefix(field, "<") && field[len(field)-1] == '>':
			session = field[1 : len(field)-1]
		case hasPrefix(field, "sasl:"):
			ev.method = ev.upper(field[len("sasl:"):])
		}
	}
	if deliverySession(session) {
		// LMTP and LDA name each transaction and recipient after their
		// connection's session: "<id>:T2:R3". Their look-ups come from
		// the MTA, not from a client logging in.
		ev.kind = kindIgnore
		return true
	}
	ev.passdb = ev.str(name)
	ev.user, ev.ip, ev.session = user, ip, text(session)
	ev.src = srcDovecotAuth
	ev.kind = kindAttempt
	return true
}

// deliverySession tells the session ids of mail deliveries: a login's
// id is base64, LMTP adds ":T<n>" per transaction, ":R<n>" per
// recipient and ":quota" for its quota check.
func deliverySession(s []byte) bool {
	i := bytes.IndexByte(s, ':')
	if i <= 0 {
		return false
	}
	for _, part := range bytes.Split(s[i+1:], []byte(":")) {
		if string(part) == "quota" {
			continue
		}
		if len(part) < 2 || part[0] != 'T' && part[0] != 'R' {
			return false
		}
		if _, ok := atoi(part[1:]); !ok {
			return false
		}
	}
	return true
}

// userAndIP splits "USER,IP[,EXTRA]": the fields after the user are
// dovecot's (",master", ",sasl:plain", ",<session>", or empty), so the
// address is found from the right, past at most three of them.
func userAndIP(args []byte, ev *event) (user, ip string, extra []byte, ok bool) {
	end := len(args)
	for range 4 {
		comma := bytes.LastIndexByte(args[:end], ',')
		if comma < 0 {
			return "", "", nil, false
		}
		if a := canonicalIP(args[comma+1 : end]); a != "" {
			if comma > maxLogUser {
				// Longer than dovecot writes a username: this comma
				// is not the one after it.
				return "", "", nil, false
			}
			if end < len(args) {
				extra = args[end+1:]
			}
			return text(args[:comma]), a, extra, true
		}
		if !authField(args[comma+1 : end]) {
			return "", "", nil, false
		}
		end = comma
	}
	return "", "", nil, false
}

// authField tells the fields dovecot writes after the address.
func authField(f []byte) bool {
	if m, ok := bytes.CutPrefix(f, []byte("sasl:")); ok {
		return isWord(m)
	}
	if len(f) >= 2 && f[0] == '<' && f[len(f)-1] == '>' {
		return isSessionID(f[1 : len(f)-1])
	}
	return len(f) == 0 || string(f) == "master"
}

// isSessionID tells the text of a session id: base64 (login processes),
// with LMTP's ":T2:R3" suffixes, or a proxy's own id; never spaces or
// brackets.
func isSessionID(s []byte) bool {
	for _, c := range s {
		if c <= ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' {
			return false
		}
	}
	return len(s) > 0
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

// pamLine reads a PAM module's own line under dovecot. pam_unix and
// pam_sss write "pam_unix(dovecot:auth): authentication failure;
// logname= uid=0 euid=0 tty=dovecot ruser=NAME rhost=ADDR  user=NAME"
// (pam_sss with one space before user=; pam_unix without " user=" when
// the account does not exist). Dovecot hands PAM the same NAME for ruser
// and user, and NAME is the client's text: it may hold " rhost=6.6.6.6"
// or "  user=". Only the split where both copies of NAME are equal and
// the text between them is " rhost=" and an address is dovecot's, so the
// address is read there. Other modules' lines (pam_ldap, pam_winbind,
// pam_sss's "received for user") name no address: dovecot's own
// pam(...) line counts those attempts.
func pamLine(msg []byte, ev *event) bool {
	_, rest, ok := cut(msg, "): ")
	if !ok || !hasPrefix(rest, "authentication failure;") {
		ev.kind = kindIgnore
		return true
	}
	_, fields, ok := cut(rest, " ruser=")
	if !ok {
		return false
	}
	user, ip := pamFields(fields)
	if f, ok := bytes.CutSuffix(fields, []byte(", no_new_privs=1")); ip == "" && ok {
		// Newer pam_unix notes it after the user.
		user, ip = pamFields(f)
	}
	if ip == "" {
		return false
	}
	ev.src = srcPAM
	ev.kind = kindAttempt
	ev.reason = record.ReasonAuthFailed
	ev.ip = ip
	ev.user = ev.str(user)
	return true
}

// pamFields splits "NAME rhost=ADDR[  user=NAME]" (see pamLine).
func pamFields(s []byte) (user []byte, ip string) {
	if v, ok := bytes.CutPrefix(s, []byte(" rhost=")); ok {
		// No NAME before rhost: nothing of the client's comes before
		// the address.
		addr, after, _ := bytes.Cut(v, []byte(" "))
		_, u, _ := bytes.Cut(after, []byte("user="))
		return u, canonicalIP(addr)
	}
	end := len(s)
	for range maxPAMSplits {
		j := lastIndex(s[:end], " user=")
		if j < 0 {
			break
		}
		end = j
		name := s[j+len(" user="):]
		if len(name) > j || !bytes.HasPrefix(s, name) {
			continue
		}
		addr, ok := bytes.CutPrefix(s[len(name):j], []byte(" rhost="))
		if !ok {
			continue
		}
		addr = bytes.TrimSuffix(addr, []byte(" ")) // pam_unix writes two spaces
		if a := canonicalIP(addr); a != "" {
			return name, a
		}
	}
	if bytes.Contains(s, []byte(" user=")) {
		// A user= that no split explains (or one of too many): trust no
		// address in it.
		return nil, ""
	}
	// pam_unix leaves user= out for an unknown account: the address runs
	// to the end of the line.
	i := lastIndex(s, " rhost=")
	if i < 0 {
		return nil, ""
	}
	return s[:i], canonicalIP(s[i+len(" rhost="):])
}

// sameLoggedUser tells whether a and b are one username, one of them as
// dovecot writes it in its prefixes and the other as PAM or postfix do:
// dovecot turns control characters into '?' and cuts a name longer than
// 64 bytes to 61 and "...". Without this, a long or odd username would
// make its attempt's lines count twice.
func sameLoggedUser(a, b string) bool {
	return a == b || a == dovecotSanitized(b) || b == dovecotSanitized(a)
}

// dovecotSanitized is user as dovecot's str_sanitize(user, 64) writes it.
func dovecotSanitized(user string) string {
	if len(user) <= maxLogUser && strings.IndexFunc(user, func(r rune) bool { return r < ' ' }) < 0 {
		return user
	}
	b := []byte(strings.Map(func(r rune) rune {
		if r < ' ' {
			return '?'
		}
		return r
	}, user))
	if len(b) > maxLogUser {
		n := maxLogUser - 3
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		b = append(b[:n:n], "..."...)
	}
	return string(b)
}

// maxLogUser is dovecot's MAX_LOG_USERNAME_LEN.
const maxLogUser = 64

// maxPAMSplits bounds the splits pamFields tries: each costs a compare
// as long as the name, and a username holding " user=" that often is
// not worth a quadratic scan of a long line.
const maxPAMSplits = 16

// isPAMLine tells a PAM module's line: "pam_unix(dovecot:auth): ...", with
// any module and the PAM service dovecot was given (dovecot, imap, ...).
func isPAMLine(msg []byte) bool {
	if !hasPrefix(msg, "pam_") {
		return false
	}
	i := len("pam_")
	for i < len(msg) && (msg[i] >= 'a' && msg[i] <= 'z' || msg[i] >= '0' && msg[i] <= '9' || msg[i] == '_') {
		i++
	}
	if i == len("pam_") || i >= len(msg) || msg[i] != '(' {
		return false
	}
	end := bytes.Index(msg[i:], []byte("): "))
	return end > 0 && bytes.IndexByte(msg[i:i+end], ':') > 0
}

// loginLine reads the login processes' lines (imap-login, pop3-login,
// submission-login, managesieve-login).
func loginLine(msg []byte, ev *event) bool {
	if rest, ok := bytes.CutPrefix(msg, []byte("Login failed: ")); ok {
		return refusedLogin(rest, msg, ev)
	}
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

// refusedLogin reads a login process's refusal of one attempt, logged at
// auth_verbose: "Login failed: Plaintext authentication disabled: user=<>,
// rip=..., session=<...>" (2.3; 2.4 says "Cleartext"), or "SSL required
// for authentication". The credentials never reached the auth process;
// the session's summary counts them too, so the line is paired with it
// by its session as an auth-process line is.
func refusedLogin(why, msg []byte, ev *event) bool {
	switch {
	case hasPrefix(why, "Plaintext authentication disabled"), hasPrefix(why, "Cleartext authentication disabled"):
		ev.reason = record.ReasonPlaintextDisabled
	case hasPrefix(why, "SSL required for authentication"):
		ev.reason = record.ReasonSSLRequired
	default:
		return false
	}
	_, fields := splitFields(msg)
	if fields == nil {
		return false
	}
	loginFields(fields, ev)
	ev.src = srcDovecotAuth
	ev.kind = kindAttempt
	return ev.ip != ""
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
			ev.session = text(s[:e])
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
		{"(tried to use disallowed plaintext auth)", record.ReasonPlaintextDisabled},
		{"(tried to use disabled plaintext auth)", record.ReasonPlaintextDisabled},
		{"(tried to use disallowed cleartext auth)", record.ReasonPlaintextDisabled},
		{"(proxy dest auth failed)", record.ReasonProxyAuthFailed},
		{"(user disabled)", record.ReasonUserDisabled},
		{"(login disabled)", record.ReasonLoginDisabled},
		{"(password expired)", record.ReasonPasswordExpired},
		{"(sent invalid base64 in response)", record.ReasonInvalidBase64},
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
		ev.reason = record.ReasonAuthDisallowed
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
		return record.ReasonAuthFailed, true
	case "authorization failed":
		return record.ReasonAuthorizationFailed, true
	case "user disabled":
		return record.ReasonUserDisabled, true
	case "login disabled":
		return record.ReasonLoginDisabled, true
	case "password expired":
		return record.ReasonPasswordExpired, true
	case "sent invalid base64 in response":
		return record.ReasonInvalidBase64, true
	case "tried to use disallowed cleartext auth", "tried to use disallowed plaintext auth":
		return record.ReasonPlaintextDisabled, true
	case "proxy dest auth failed", "proxy dest authentication failure":
		return record.ReasonProxyAuthFailed, true
	case "auth aborted by client", "client didn't finish SASL auth":
		return record.ReasonAuthFailed, false
	}
	// Server-side causes (temporary failure, communication failure,
	// connection limit, referrals, unsupported mechanism): not the client's.
	return "", true
}

// hidePassword removes a password dovecot logged in clear
// (auth_verbose_passwords=plain): it runs to the end of the line. Dovecot
// writes a space after the colon; hiding does not rely on it.
func hidePassword(line []byte) []byte {
	i := bytes.Index(line, []byte("(given password:"))
	if i < 0 {
		return line
	}
	out := make([]byte, 0, i+32)
	out = append(out, line[:i]...)
	return append(out, "(given password: <hidden>)"...)
}
