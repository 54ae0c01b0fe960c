package loggen

import (
	"strconv"
	"strings"
	"time"
)

// Durations in the generator's clock (µs).
const (
	ms  = int64(1000)
	sec = 1000 * ms
)

func (g *gen) between(lo, hi int64) int64 { return lo + g.rng.Int64N(hi-lo+1) }
func (g *gen) chance(p float64) bool      { return g.rng.Float64() < p }
func (g *gen) intn(n int) int             { return g.rng.IntN(n) }
func (g *gen) pick(weights ...int) int    { return pickWeighted(g.rng, weights) }

func cat(b []byte, parts ...string) []byte {
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func num(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// postfix starts a postfix line: "postfix/smtpd[123]: ".
func (g *gen) postfix(proc string, pid int) []byte {
	b := cat(g.buf(), "postfix/", proc, "[")
	return append(num(b, pid), "]: "...)
}

// dovecot starts a dovecot 2.2/2.3 line as Debian's syslog writes it.
func (g *gen) dovecot() []byte { return append(g.buf(), "dovecot: "...) }

// dovecot24 starts a dovecot 2.4 line, which carries the master's pid.
func (g *gen) dovecot24() []byte {
	b := append(g.buf(), "dovecot["...)
	return append(num(b, g.w.dovecot), "]: "...)
}

const b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// session is a dovecot login session id: 16 base64 characters.
func (g *gen) session() string {
	var s [16]byte
	x, y := g.rng.Uint64(), g.rng.Uint64()
	for i := range s {
		if i == 10 {
			x = y
		}
		s[i] = b64chars[x&63]
		x >>= 6
	}
	return string(s[:])
}

// alnum is a random identifier of letters and digits (lmtp sessions,
// message ids).
func (g *gen) alnum(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = b64chars[g.intn(62)]
	}
	return string(b)
}

// queueID is a postfix short queue id: upper-case hex.
func (g *gen) queueID() string {
	b := make([]byte, 10+g.intn(2))
	for i := range b {
		b[i] = "0123456789ABCDEF"[g.intn(16)]
	}
	return string(b)
}

func lipFor(ip string) string {
	if strings.IndexByte(ip, ':') >= 0 {
		return serverLip6
	}
	return serverLip4
}

// delays writes postfix's "delay=1.2, delays=a/b/c/d" from µs parts.
func delays(b []byte, parts ...int64) []byte {
	var total int64
	for _, p := range parts {
		total += p
	}
	b = append(b, "delay="...)
	b = seconds(b, total)
	b = append(b, ", delays="...)
	for i, p := range parts {
		if i > 0 {
			b = append(b, '/')
		}
		b = seconds(b, p)
	}
	return b
}

// seconds writes µs as postfix does: two significant decimals at most.
func seconds(b []byte, us int64) []byte {
	cs := us / 10000 // centiseconds
	if cs == 0 {
		return append(b, '0')
	}
	b = strconv.AppendInt(b, cs/100, 10)
	if cs%100 != 0 {
		b = append(b, '.')
		b = append(b, byte('0'+cs%100/10))
		if cs%10 != 0 {
			b = append(b, byte('0'+cs%10))
		}
	}
	return b
}

const tlsEstablished = ": TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"

// ---- ordinary traffic ----

func (g *gen) normalEvent(t int64) {
	switch g.pick(40, 6, 26, 10, 7, 4, 2, 1) {
	case 0:
		c := &g.w.clients[g.intn(len(g.w.clients))]
		g.loginSession(t, "imap", c.name, c.ips[g.intn(len(c.ips))])
	case 1:
		c := &g.w.clients[g.intn(len(g.w.clients))]
		g.loginSession(t, "pop3", c.name, c.ips[g.intn(len(c.ips))])
	case 2:
		g.inbound(t)
	case 3:
		c := &g.w.clients[g.intn(len(g.w.clients))]
		i := g.intn(len(c.ips))
		ptr := "unknown"
		if i == 0 {
			ptr = c.ptr
		}
		g.submission(t, c.name, c.ips[i], ptr)
	case 4:
		g.rejectRcpt(t)
	case 5:
		g.postscreenReject(t)
	case 6:
		c := &g.w.clients[g.intn(len(g.w.clients))]
		g.loginSession(t, "managesieve", c.name, c.ips[0])
	case 7:
		g.anvilStats(t)
	}
}

// loginSession is a successful dovecot login and its logout.
func (g *gen) loginSession(t int64, svc, user, ip string) {
	g.login(t, svc, user, ip, g.session())
}

func (g *gen) login(t int64, svc, user, ip, sess string) {
	mpid := g.w.nextPID(g.rng)
	method := "PLAIN"
	if g.intn(5) == 0 {
		method = "LOGIN"
	}
	b := cat(g.dovecot(), svc, "-login: Login: user=<", user, ">, method=", method,
		", rip=", ip, ", lip=", lipFor(ip), ", mpid=")
	b = cat(num(b, mpid), ", TLS, session=<", sess, ">")
	g.line(t, b, pending{ip: ip, login: true})

	var dur int64
	switch svc {
	case "imap":
		dur = g.between(2*sec, 900*sec)
	default:
		dur = g.between(200*ms, 8*sec)
	}
	b = cat(g.dovecot(), svc, "(", user, ")<")
	b = cat(num(b, mpid), "><", sess, ">: Disconnected: ")
	switch svc {
	case "imap":
		if g.intn(3) == 0 {
			b = append(b, "Connection closed (IDLE running for 0.001 + waiting input for "...)
			b = seconds(b, dur)
			b = append(b, " secs, 2 B in + 10 B out, state=wait-input) in="...)
		} else {
			b = append(b, "Logged out in="...)
		}
		b = num(b, 40+g.intn(4000))
		b = append(b, " out="...)
		b = num(b, 500+g.intn(200000))
		b = append(b, " deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0"...)
	case "pop3":
		n := g.intn(4)
		size := n * (2000 + g.intn(40000))
		b = append(b, "Logged out top=0/0, retr="...)
		b = append(num(b, n), '/')
		b = append(num(b, size), ", del="...)
		b = append(num(b, n), '/')
		b = append(num(b, n), ", size="...)
		b = num(b, size)
	default:
		b = append(b, "Logged out bytes="...)
		b = append(num(b, 50+g.intn(500)), '/')
		b = num(b, 300+g.intn(3000))
	}
	g.plain(t+dur, b)
}

// inbound is one message received from another MTA and delivered over
// LMTP to dovecot.
func (g *gen) inbound(t int64) {
	m := &g.w.mtas[g.intn(len(g.w.mtas))]
	rcpt := g.w.clients[g.intn(len(g.w.clients))].name
	port := strconv.Itoa(1024 + g.intn(64000))
	ps := g.w.postscreen

	b := cat(g.postfix("postscreen", ps), "CONNECT from [", m.ip, "]:", port, " to [", lipFor(m.ip), "]:25")
	g.plain(t, b)
	t += g.between(2*ms, 80*ms)
	g.plain(t, cat(g.postfix("postscreen", ps), "PASS OLD [", m.ip, "]:", port))

	pid := g.w.nextPID(g.rng)
	t += g.between(1*ms, 5*ms)
	g.plain(t, cat(g.postfix("smtpd", pid), "connect from ", m.host, "[", m.ip, "]"))
	tls := g.intn(4) != 0
	if tls {
		t += g.between(50*ms, 300*ms)
		g.plain(t, cat(g.postfix("smtpd", pid), "Anonymous TLS connection established from ", m.host, "[", m.ip, "]", tlsEstablished))
	}
	qid := g.queueID()
	t0 := t
	t += g.between(100*ms, 800*ms)
	g.plain(t, cat(g.postfix("smtpd", pid), qid, ": client=", m.host, "[", m.ip, "]"))
	t += g.between(50*ms, 400*ms)
	cleanup := g.w.renew(g.rng, &g.w.cleanup)
	g.plain(t, cat(g.postfix("cleanup", cleanup), qid, ": message-id=<", g.alnum(20), "@", m.domain, ">"))
	t += g.between(5*ms, 50*ms)
	b = cat(g.postfix("qmgr", g.w.qmgr), qid, ": from=<", []string{"newsletter", "noreply", "billing", "j.doe", "team", "orders"}[g.intn(6)], "@", m.domain, ">, size=")
	b = append(num(b, 2000+g.intn(200000)), ", nrcpt=1 (queue active)"...)
	g.plain(t, b)
	tq := t

	b = cat(g.postfix("smtpd", pid), "disconnect from ", m.host, "[", m.ip, "] ehlo=")
	if tls {
		b = append(b, "2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7"...)
	} else {
		b = append(b, "1 mail=1 rcpt=1 data=1 quit=1 commands=5"...)
	}
	g.plain(t+g.between(1*ms, 40*ms), b)

	// LMTP delivery into dovecot.
	lp := g.w.renew(g.rng, &g.w.dlmtp)
	lsess := g.alnum(22)
	t += g.between(5*ms, 60*ms)
	g.plain(t, append(num(append(g.dovecot(), "lmtp("...), lp), "): Connect from local"...))
	t += g.between(20*ms, 300*ms)
	b = cat(g.dovecot(), "lmtp(", rcpt, ")<")
	b = cat(num(b, lp), "><", lsess, ">: msgid=<", g.alnum(16), "@", m.domain, ">: saved mail to INBOX")
	g.plain(t, b)
	t += g.between(1*ms, 20*ms)
	b = cat(g.postfix("lmtp", g.w.renew(g.rng, &g.w.lmtp)), qid, ": to=<", rcpt, ">, relay=", g.cfg.Host, ".example.com[private/dovecot-lmtp], ")
	b = delays(b, tq-t0, g.between(1*ms, 20*ms), g.between(1*ms, 30*ms), t-tq)
	b = cat(b, ", dsn=2.0.0, status=sent (250 2.0.0 <", rcpt, "> ", lsess, " Saved)")
	g.plain(t, b)
	t += g.between(1*ms, 10*ms)
	g.plain(t, append(num(append(g.dovecot(), "lmtp("...), lp), "): Disconnect from local: Client has quit the connection (state=READY)"...))
	g.plain(t+g.between(1*ms, 5*ms), cat(g.postfix("qmgr", g.w.qmgr), qid, ": removed"))
}

// submission is a user sending mail through port 587 with SASL.
func (g *gen) submission(t int64, user, ip, ptr string) {
	pid := g.w.nextPID(g.rng)
	proc := "submission/smtpd"
	g.plain(t, cat(g.postfix(proc, pid), "connect from ", ptr, "[", ip, "]"))
	t += g.between(50*ms, 300*ms)
	g.plain(t, cat(g.postfix(proc, pid), "Anonymous TLS connection established from ", ptr, "[", ip, "]", tlsEstablished))
	qid := g.queueID()
	t += g.between(200*ms, 1500*ms)
	t0 := t
	method := "PLAIN"
	if g.intn(4) == 0 {
		method = "LOGIN"
	}
	g.line(t, cat(g.postfix(proc, pid), qid, ": client=", ptr, "[", ip, "], sasl_method=", method, ", sasl_username=", user),
		pending{ip: ip, login: true})
	t += g.between(50*ms, 400*ms)
	dom := user[strings.IndexByte(user, '@')+1:]
	g.plain(t, cat(g.postfix("cleanup", g.w.renew(g.rng, &g.w.cleanup)), qid, ": message-id=<", g.alnum(24), "@", dom, ">"))
	t += g.between(5*ms, 50*ms)
	tq := t
	b := cat(g.postfix("qmgr", g.w.qmgr), qid, ": from=<", user, ">, size=")
	b = append(num(b, 800+g.intn(3000000)), ", nrcpt=1 (queue active)"...)
	g.plain(t, b)
	g.plain(t+g.between(1*ms, 60*ms), cat(g.postfix(proc, pid), "disconnect from ", ptr, "[", ip, "] ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8"))

	r := &g.w.remotes[g.intn(len(g.w.remotes))]
	t += g.between(100*ms, 2*sec)
	b = cat(g.postfix("smtp", g.w.renew(g.rng, &g.w.smtp)), qid, ": to=<", []string{"contact", "sales", "anna", "m.rossi", "support"}[g.intn(5)], "@", r.domain,
		">, relay=", r.host, "[", r.ip, "]:25, ")
	b = delays(b, tq-t0, g.between(1*ms, 20*ms), g.between(50*ms, 400*ms), t-tq)
	b = cat(b, ", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ", g.queueID(), ")")
	g.plain(t, b)
	g.plain(t+g.between(1*ms, 5*ms), cat(g.postfix("qmgr", g.w.qmgr), qid, ": removed"))
}

// rejectRcpt is an SMTP client refused at RCPT time: policy, not auth.
func (g *gen) rejectRcpt(t int64) {
	ip := publicIPv4(g.rng)
	pid := g.w.nextPID(g.rng)
	g.plain(t, cat(g.postfix("smtpd", pid), "connect from unknown[", ip, "]"))
	t += g.between(300*ms, 3*sec)
	b := cat(g.postfix("smtpd", pid), "NOQUEUE: reject: RCPT from unknown[", ip, "]: ")
	helo := orgWords[g.intn(len(orgWords))] + ".example.net"
	if g.intn(2) == 0 {
		to := roleNames[g.intn(len(roleNames))] + "@" + helo
		b = cat(b, "554 5.7.1 <", to, ">: Relay access denied; from=<spam@", helo, "> to=<", to, "> proto=ESMTP helo=<", helo, ">")
	} else {
		to := firstNames[g.intn(len(firstNames))] + "@example.com"
		b = cat(b, "550 5.1.1 <", to, ">: Recipient address rejected: User unknown in virtual mailbox table; from=<info@", helo, "> to=<", to, "> proto=ESMTP helo=<", helo, ">")
	}
	g.plain(t, b)
	g.plain(t+g.between(10*ms, 500*ms), cat(g.postfix("smtpd", pid), "disconnect from unknown[", ip, "] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"))
}

// postscreenReject is a listed spam source turned away by postscreen.
func (g *gen) postscreenReject(t int64) {
	ip := publicIPv4(g.rng)
	port := strconv.Itoa(1024 + g.intn(64000))
	ps := g.w.postscreen
	g.plain(t, cat(g.postfix("postscreen", ps), "CONNECT from [", ip, "]:", port, " to [", serverLip4, "]:25"))
	t += g.between(5*ms, 100*ms)
	g.plain(t, append(num(cat(g.postfix("postscreen", ps), "DNSBL rank "), 3+g.intn(5)), cat(nil, " for [", ip, "]:", port)...))
	t += g.between(3*sec, 8*sec)
	helo := orgWords[g.intn(len(orgWords))] + ".example.net"
	g.plain(t, cat(g.postfix("postscreen", ps), "NOQUEUE: reject: RCPT from [", ip, "]:", port, ": 550 5.7.1 Service unavailable; client [", ip,
		"] blocked using zen.spamhaus.org; from=<promo@", helo, ">, to=<", g.w.clients[g.intn(len(g.w.clients))].name, ">, proto=ESMTP, helo=<", helo, ">"))
	g.plain(t+g.between(10*ms, 300*ms), cat(g.postfix("postscreen", ps), "DISCONNECT [", ip, "]:", port))
}

// anvilStats is postfix's periodic connection-rate report.
func (g *gen) anvilStats(t int64) {
	at := g.cfg.Start.Truncate(time.Second).Add(time.Duration(t-g.between(0, 500*sec)) * time.Microsecond)
	b := cat(g.postfix("anvil", g.w.anvil), "statistics: max connection rate ")
	b = append(num(b, 1+g.intn(5)), "/60s for (smtp:"...)
	b = cat(b, g.w.mtas[g.intn(len(g.w.mtas))].ip, ") at ")
	g.plain(t, at.AppendFormat(b, "Jan _2 15:04:05"))
}

// ---- attack traffic ----

func (g *gen) attackEvent(t int64) {
	switch g.pick(94, 3, 2, 1) {
	case 1:
		g.stalePhone(t)
		return
	case 2:
		g.typoThenLogin(t)
		return
	case 3:
		g.breakIn(t)
		return
	}
	a := g.idleAttacker(t)
	if a == nil {
		g.dovecotNoise(t, publicIPv4(g.rng))
		return
	}
	g.eventEnd = t
	defer func() { a.busyUntil = g.eventEnd + pairWindow }()
	acct := g.guess(a)
	if g.chance(a.smtp) {
		switch g.pick(70, 8, 3, 19) {
		case 0:
			g.saslFailure(t, a.ip, a.ptr, acct)
		case 1:
			g.authRefused(t, a.ip, a.ptr)
		case 2:
			g.badMechanism(t, a.ip, a.ptr)
		default:
			g.smtpNoise(t, a.ip, a.ptr)
		}
		return
	}
	svc := loginServices[a.svc]
	switch g.pick(25, 15, 6, 12, 6, 6, 6, 20) {
	case 0:
		g.dovecotFailure(t, a.ip, svc, acct, dv23, true, "")
	case 1:
		g.dovecotFailure(t, a.ip, svc, acct, dv23, false, "")
	case 2:
		g.dovecotFailure(t, a.ip, svc, acct, dv22, g.chance(0.5), "")
	case 3:
		g.dovecotFailure(t, a.ip, svc, acct, dv24, true, "")
	case 4:
		g.dovecotFailure(t, a.ip, svc, acct, dv24, false, "")
	case 5:
		g.dovecotFailure(t, a.ip, svc, acct, dvPAM, true, "")
	case 6:
		g.plaintext(t, a.ip, acct)
	default:
		g.dovecotNoise(t, a.ip)
	}
}

// pairWindow is how long after an address's attack ends before its next
// one may start. Lines without session ids (PAM, postfix's SASL client,
// dovecot 2.2 summaries) are tied to their twins by address and time, a few
// seconds apart; overlapping attacks from one address would make that
// pairing ambiguous and the truth unrecoverable from the lines. Real
// attackers do run sessions in parallel; the cost of this margin is that
// they don't here.
const pairWindow = 10 * sec

// idleAttacker draws an attacker, loud ones more often, among those not
// attacking at time t; nil if the draws all hit busy ones.
func (g *gen) idleAttacker(t int64) *attacker {
	for range 8 {
		if a := &g.w.attackers[g.w.zipf.Uint64()]; a.busyUntil <= t {
			return a
		}
	}
	return nil
}

// guess picks the username an attacker tries this time.
func (g *gen) guess(a *attacker) account {
	if g.intn(200) == 0 {
		return account{hostileNames[g.intn(len(hostileNames))], false}
	}
	switch a.style {
	case styleFocus:
		return g.w.targets[a.target]
	case styleLeaked:
		if g.intn(3) == 0 {
			return g.w.real[g.intn(len(g.w.real))]
		}
	}
	return g.w.guesses[g.intn(len(g.w.guesses))]
}

// dvStyle is the generation of dovecot whose lines a session imitates.
type dvStyle int

const (
	dv23  dvStyle = iota // 2.3: summaries "(auth failed, N attempts in S secs)" with session=<>
	dv22                 // 2.2 and short login_log_format: "(auth failed, N attempts)", no session
	dv24                 // 2.4: "Login aborted: ... (auth_failed)", auth(user,ip,sasl:m)<session>
	dvPAM                // PAM passdb: auth-worker pam(user,ip) lines without session, 2.2 summary
)

// attemptCount draws how many tries a failed login session makes:
// dovecot drops the client after a few.
func (g *gen) attemptCount(svc string) int {
	if svc == "pop3" || svc == "submission" {
		return 1 + g.pick(80, 15, 5)
	}
	return 1 + g.pick(50, 15, 30, 3, 2)
}

// dovecotFailure is one failed dovecot login session: per-attempt auth
// process lines when verbose, then the login process's summary, whose
// attempt count settles the truth.
func (g *gen) dovecotFailure(t int64, ip, svc string, acct account, style dvStyle, verbose bool, hash string) {
	n := g.attemptCount(svc)
	if hash != "" {
		n = 1
	}
	method := "PLAIN"
	if svc == "submission" || g.intn(5) == 0 {
		method = "LOGIN"
	}
	sess := g.session()
	first := true
	mark := func(p pending) pending {
		if first {
			p.ip, p.failed = ip, true
			first = false
		}
		return p
	}
	passdb := g.intn(6)
	at := t + g.between(200*ms, 1500*ms)
	for k := 0; k < n; k++ {
		if verbose {
			at = g.authLines(at, ip, acct, style, passdb, sess, method, hash, mark)
		}
		if k < n-1 {
			at += 2*sec + g.between(100*ms, 1500*ms) // auth_failure_delay, then the next try
		}
	}
	end := at + 2*sec + g.between(10*ms, 900*ms)
	inactive := g.intn(12) == 0
	if inactive {
		end = at + 178*sec + g.between(0, 2*sec)
	}
	secs := strconv.Itoa(int((end - t) / sec))
	nstr := strconv.Itoa(n)
	lip := lipFor(ip)

	var b []byte
	switch style {
	case dv24:
		b = cat(g.dovecot24(), svc, "-login: Login aborted: ")
		switch {
		case inactive:
			b = append(b, "Disconnected: Inactivity"...)
		case g.intn(3) == 0:
			b = append(b, "Logged out"...)
		default:
			b = append(b, "Connection closed"...)
		}
		b = cat(b, " (auth failed, ", nstr, " attempts in ", secs, " secs) (auth_failed): user=<", acct.name,
			">, method=", method, ", rip=", ip, ", lip=", lip, ", TLS, session=<", sess, ">")
	case dv22, dvPAM:
		b = cat(g.dovecot(), svc, "-login: ")
		switch {
		case inactive:
			b = append(b, "Disconnected: Inactivity"...)
		case g.intn(2) == 0:
			b = append(b, "Aborted login"...)
		default:
			b = append(b, "Disconnected"...)
		}
		b = cat(b, " (auth failed, ", nstr, " attempts): user=<", acct.name, ">, method=", method, ", rip=", ip, ", lip=", lip, ", TLS")
	default:
		b = cat(g.dovecot(), svc, "-login: ")
		switch {
		case inactive:
			b = append(b, "Disconnected: Inactivity"...)
		case svc == "pop3" && g.intn(2) == 0:
			b = append(b, "Aborted login"...)
		case g.intn(5) == 0:
			b = append(b, "Disconnected: Connection closed"...)
		default:
			b = append(b, "Disconnected"...)
		}
		b = cat(b, " (auth failed, ", nstr, " attempts in ", secs, " secs): user=<", acct.name,
			">, method=", method, ", rip=", ip, ", lip=", lip, ", TLS, session=<", sess, ">")
	}
	g.line(end, b, mark(pending{ip: ip, fails: int32(n)}))
}

// authLines writes the auth process's verdict on one attempt at time at
// and returns the time of the last line written. passdb picks one of the
// usual backends for the whole session.
func (g *gen) authLines(at int64, ip string, acct account, style dvStyle, passdb int, sess, method, hash string, mark func(pending) pending) int64 {
	verdict := "unknown user"
	if acct.exists {
		verdict = "Password mismatch"
	}
	suffix := ""
	if hash != "" {
		suffix = " (SHA1 of given password: " + hash + ")"
	}
	u := acct.name
	switch style {
	case dv24:
		db := "sql"
		if passdb%2 == 1 {
			db = "passwd-file"
		}
		b := cat(g.dovecot24(), "auth(", u, ",", ip, ",sasl:", strings.ToLower(method), ")<", sess, ">: ", db, ": ", verdict, suffix)
		g.line(at, b, mark(pending{}))
		return at
	case dvPAM, dv22:
		var b []byte
		if style == dvPAM || passdb < 3 {
			b = append(num(append(g.dovecot(), "auth-worker("...), g.w.renew(g.rng, &g.w.authWorker)), "): pam("...)
			b = cat(b, u, ",", ip, "): ")
			if acct.exists {
				b = append(b, "pam_authenticate() failed: Authentication failure (password mismatch?)"...)
			} else {
				b = append(b, "unknown user"...)
			}
		} else {
			b = cat(g.dovecot(), "auth: passwd-file(", u, ",", ip, "): ", verdict)
		}
		g.line(at, b, mark(pending{}))
		return at
	}
	id := cat(nil, "(", u, ",", ip, ",<", sess, ">): ")
	switch passdb {
	case 0:
		g.line(at, cat(append(g.dovecot(), "auth: sql"...), string(id), verdict, suffix), mark(pending{}))
	case 1:
		b := append(num(append(g.dovecot(), "auth-worker("...), g.w.renew(g.rng, &g.w.authWorker)), "): sql"...)
		g.line(at, cat(b, string(id), verdict, suffix), mark(pending{}))
	case 2:
		g.line(at, cat(append(g.dovecot(), "auth: passwd-file"...), string(id), verdict, suffix), mark(pending{}))
	case 3:
		aw := g.w.renew(g.rng, &g.w.authWorker)
		b := append(num(append(g.dovecot(), "auth-worker("...), aw), "): conn unix:auth-worker (pid="...)
		b = append(num(b, g.w.dovecot+3), ",uid=97): auth-worker<"...)
		b = append(num(b, 1+g.intn(5000)), ">: sql"...)
		g.line(at, cat(b, string(id), verdict, suffix), mark(pending{}))
	case 4:
		// Two passdbs judge one attempt in the same second: the first
		// does not know the user, the second rejects the password.
		if at%sec > 900*ms {
			at += sec - at%sec + 10*ms
		}
		g.line(at, cat(append(g.dovecot(), "auth: passwd-file"...), string(id), "unknown user", suffix), mark(pending{}))
		at += g.between(1*ms, 40*ms)
		b := append(num(append(g.dovecot(), "auth-worker("...), g.w.renew(g.rng, &g.w.authWorker)), "): sql"...)
		g.line(at, cat(b, string(id), verdict, suffix), mark(pending{}))
	default:
		v := verdict
		if acct.exists {
			v = "Password mismatch (for LDAP bind)"
		}
		g.line(at, cat(append(g.dovecot(), "auth: ldap"...), string(id), v, suffix), mark(pending{}))
	}
	return at
}

// plaintext is a client refused for sending a password over a clear
// connection: a failed login attempt, with no credentials checked.
func (g *gen) plaintext(t int64, ip string, acct account) {
	sess := g.session()
	lip := lipFor(ip)
	end := t + g.between(100*ms, 3*sec)
	var b []byte
	switch g.intn(3) {
	case 0:
		b = cat(g.dovecot(), "pop3-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=", ip, ", lip=", lip, ", session=<", sess, ">")
	case 1:
		b = cat(g.dovecot(), "imap-login: Disconnected (tried to use disallowed plaintext auth): user=<", acct.name, ">, rip=", ip, ", lip=", lip, ", session=<", sess, ">")
	default:
		b = cat(g.dovecot(), "pop3-login: Disconnected (tried to use disabled plaintext auth): rip=", ip, ", lip=", lip)
	}
	g.line(end, b, pending{ip: ip, fails: 1})
}

// dovecotNoise is a login-process line that names an address but is no
// attempt: nothing was tried.
func (g *gen) dovecotNoise(t int64, ip string) {
	sess := g.session()
	lip := lipFor(ip)
	svc := []string{"imap", "pop3", "submission", "managesieve"}[g.pick(60, 25, 10, 5)]
	var b []byte
	switch g.intn(6) {
	case 0:
		b = cat(g.dovecot(), svc, "-login: Disconnected (no auth attempts in ", strconv.Itoa(g.intn(3)), " secs): user=<>, rip=", ip, ", lip=", lip,
			", TLS handshaking: SSL_accept() failed: error:0A000102:SSL routines::unsupported protocol, session=<", sess, ">")
	case 1:
		b = cat(g.dovecot(), svc, "-login: Disconnected: Inactivity (no auth attempts in 180 secs): user=<>, rip=", ip, ", lip=", lip, ", TLS, session=<", sess, ">")
		t += 180 * sec
	case 2:
		b = cat(g.dovecot24(), svc, "-login: Login aborted: Connection closed (no auth attempts in ", strconv.Itoa(g.intn(5)), " secs) (no_auth_attempts): user=<>, rip=", ip, ", lip=", lip, ", TLS, session=<", sess, ">")
	case 3:
		b = cat(g.dovecot24(), svc, "-login: Login aborted: Connection closed: SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher (disconnected during TLS handshake) (tls_handshake_not_finished): user=<>, rip=",
			ip, ", lip=", lip, ", TLS handshaking: SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher, session=<", sess, ">")
	case 4:
		b = cat(g.dovecot(), svc, "-login: Disconnected (disconnected before auth was ready, waited 0 secs): user=<>, rip=", ip, ", lip=", lip, ", session=<", sess, ">")
	default:
		b = cat(g.dovecot(), svc, "-login: Disconnected (client didn't finish SASL auth, waited ", strconv.Itoa(1+g.intn(10)), " secs): user=<>, method=PLAIN, rip=", ip, ", lip=", lip, ", TLS, session=<", sess, ">")
	}
	g.plain(t+g.between(50*ms, 3*sec), b)
}

// smtpdProc picks the smtpd a client reaches: port 25, 587 or 465.
func (g *gen) smtpdProc() (proc string, tls bool) {
	switch g.pick(40, 45, 15) {
	case 0:
		return "smtpd", g.intn(3) == 0
	case 1:
		return "submission/smtpd", true
	default:
		return "smtps/smtpd", true
	}
}

// saslFailure is an SMTP AUTH brute force connection: a warning per
// attempt (and, when dovecot does postfix's SASL with auth_verbose,
// dovecot's twin line without session id shortly before each), then the
// disconnect summary, whose auth=0/T settles the truth.
func (g *gen) saslFailure(t int64, ip, ptr string, acct account) {
	proc, tls := g.smtpdProc()
	pid := g.w.nextPID(g.rng)
	g.plain(t, cat(g.postfix(proc, pid), "connect from ", ptr, "[", ip, "]"))
	at := t + g.between(50*ms, 400*ms)
	ok := 2 // ehlo, quit
	ehlo := "ehlo=1"
	if tls {
		g.plain(at, cat(g.postfix(proc, pid), "Anonymous TLS connection established from ", ptr, "[", ip, "]", tlsEstablished))
		at += g.between(50*ms, 300*ms)
		if proc != "smtps/smtpd" {
			ok, ehlo = 4, "ehlo=2 starttls=1"
		}
	}
	k := 1 + g.pick(60, 15, 20, 0, 5)
	twin := g.chance(0.5)
	method := "LOGIN"
	if g.intn(4) == 0 {
		method = "PLAIN"
	}
	first := true
	mark := func() pending {
		if first {
			first = false
			return pending{ip: ip, failed: true}
		}
		return pending{}
	}
	for i := 0; i < k; i++ {
		if twin {
			verdict := "unknown user"
			if acct.exists {
				verdict = "Password mismatch"
			}
			var b []byte
			switch g.intn(3) {
			case 0:
				b = cat(g.dovecot(), "auth: passwd-file(", acct.name, ",", ip, "): ", verdict)
			case 1:
				b = cat(g.dovecot(), "auth: sql(", acct.name, ",", ip, "): ", verdict)
			default:
				b = append(num(append(g.dovecot(), "auth-worker("...), g.w.renew(g.rng, &g.w.authWorker)), "): sql("...)
				b = cat(b, acct.name, ",", ip, "): ", verdict)
			}
			g.line(at, b, mark())
		}
		warn := at + 2*sec + g.between(0, 600*ms) // auth_failure_delay
		if g.intn(20) == 0 {
			warn = at + g.between(5*ms, 50*ms) // auth_failure_delay = 0
		}
		b := cat(g.postfix(proc, pid), "warning: ", ptr, "[", ip, "]: SASL ", method, " authentication failed: ")
		switch {
		case g.intn(7) == 0:
			b = cat(b, "(reason unavailable), sasl_username=", acct.name) // postfix >= 3.9
		case method == "LOGIN" && g.intn(3) != 0:
			b = append(b, "UGFzc3dvcmQ6"...)
		default:
			b = append(b, "authentication failure"...)
		}
		g.line(warn, b, mark())
		at = warn + g.between(100*ms, 800*ms)
	}
	total := k
	var b []byte
	if g.intn(10) < 3 {
		// The client hangs up during AUTH; half the time in the middle of
		// one more exchange that postfix counts but logs no warning for.
		if g.intn(2) == 0 {
			total++
		}
		g.plain(at, cat(g.postfix(proc, pid), "lost connection after AUTH from ", ptr, "[", ip, "]"))
		ok--
		b = cat(g.postfix(proc, pid), "disconnect from ", ptr, "[", ip, "] ", ehlo, " auth=0/", strconv.Itoa(total))
	} else {
		b = cat(g.postfix(proc, pid), "disconnect from ", ptr, "[", ip, "] ", ehlo, " auth=0/", strconv.Itoa(total), " quit=1")
	}
	b = cat(b, " commands=", strconv.Itoa(ok), "/", strconv.Itoa(ok+total))
	g.line(at+g.between(0, 5*ms), b, pending{ip: ip, fails: int32(total), failed: true})
}

// authRefused is an AUTH command rejected before any SASL exchange (AUTH
// not offered without TLS): only the disconnect summary shows it.
func (g *gen) authRefused(t int64, ip, ptr string) {
	pid := g.w.nextPID(g.rng)
	g.plain(t, cat(g.postfix("smtpd", pid), "connect from ", ptr, "[", ip, "]"))
	g.line(t+g.between(300*ms, 3*sec), cat(g.postfix("smtpd", pid), "disconnect from ", ptr, "[", ip, "] ehlo=1 auth=0/1 quit=1 commands=2/3"),
		pending{ip: ip, fails: 1})
}

// badMechanism asks for a mechanism the server lacks: the warning names
// no credentials, and the disconnect's auth=0/1 is that same refusal, so
// the connection holds no attempt.
func (g *gen) badMechanism(t int64, ip, ptr string) {
	pid := g.w.nextPID(g.rng)
	g.plain(t, cat(g.postfix("smtpd", pid), "connect from ", ptr, "[", ip, "]"))
	t += g.between(200*ms, 2*sec)
	g.plain(t, cat(g.postfix("smtpd", pid), "warning: ", ptr, "[", ip, "]: SASL CRAM-MD5 authentication failed: Invalid authentication mechanism"))
	g.plain(t+g.between(10*ms, 500*ms), cat(g.postfix("smtpd", pid), "disconnect from ", ptr, "[", ip, "] ehlo=1 auth=0/1 quit=1 commands=2/3"))
}

// smtpNoise is hostile SMTP traffic that is no auth attempt.
func (g *gen) smtpNoise(t int64, ip, ptr string) {
	switch g.intn(4) {
	case 0: // TLS handshake failure on submission
		pid := g.w.nextPID(g.rng)
		proc := "submission/smtpd"
		g.plain(t, cat(g.postfix(proc, pid), "connect from ", ptr, "[", ip, "]"))
		t += g.between(100*ms, 2*sec)
		g.plain(t, cat(g.postfix(proc, pid), "SSL_accept error from ", ptr, "[", ip, "]: lost connection"))
		g.plain(t+1*ms, cat(g.postfix(proc, pid), "lost connection after STARTTLS from ", ptr, "[", ip, "]"))
		g.plain(t+2*ms, cat(g.postfix(proc, pid), "disconnect from ", ptr, "[", ip, "] ehlo=1 starttls=0/1 commands=1/2"))
	case 1: // scanner hanging up after EHLO
		pid := g.w.nextPID(g.rng)
		g.plain(t, cat(g.postfix("smtpd", pid), "connect from ", ptr, "[", ip, "]"))
		t += g.between(100*ms, 2*sec)
		g.plain(t, cat(g.postfix("smtpd", pid), "lost connection after EHLO from ", ptr, "[", ip, "]"))
		g.plain(t+1*ms, cat(g.postfix("smtpd", pid), "disconnect from ", ptr, "[", ip, "] ehlo=1 commands=1"))
	case 2: // bot talking before the greeting
		port := strconv.Itoa(1024 + g.intn(64000))
		ps := g.w.postscreen
		g.plain(t, cat(g.postfix("postscreen", ps), "CONNECT from [", ip, "]:", port, " to [", lipFor(ip), "]:25"))
		t += g.between(50*ms, 500*ms)
		g.plain(t, cat(g.postfix("postscreen", ps), "PREGREET 11 after 0.", strconv.Itoa(10+g.intn(89)), " from [", ip, "]:", port, `: EHLO User\r\n`))
		g.plain(t+g.between(1*ms, 100*ms), cat(g.postfix("postscreen", ps), "DISCONNECT [", ip, "]:", port))
	default: // pipelining before the greeting
		pid := g.w.nextPID(g.rng)
		g.plain(t, cat(g.postfix("smtpd", pid), "connect from ", ptr, "[", ip, "]"))
		t += g.between(10*ms, 200*ms)
		g.plain(t, cat(g.postfix("smtpd", pid), "improper command pipelining after CONNECT from ", ptr, "[", ip, `]: EHLO User\r\nAUTH LOGIN\r\n`))
		g.plain(t+g.between(10*ms, 300*ms), cat(g.postfix("smtpd", pid), "disconnect from ", ptr, "[", ip, "] ehlo=1 quit=1 commands=2"))
	}
}

// stalePhone is a user's forgotten device retrying an old password: the
// same SHA1 prefix every time.
func (g *gen) stalePhone(t int64) {
	for range 8 {
		c := &g.w.clients[g.intn(len(g.w.clients))]
		if c.staleHash != "" {
			ip := c.ips[len(c.ips)-1]
			g.dovecotFailure(t, ip, "imap", account{c.name, true}, dv23, true, c.staleHash)
			return
		}
	}
	g.dovecotNoise(t, publicIPv4(g.rng))
}

// typoThenLogin is a user mistyping a password and getting it right on the
// next try in the same session: the auth line is the only trace of the
// failure (no summary follows a successful login).
func (g *gen) typoThenLogin(t int64) {
	c := &g.w.clients[g.intn(len(g.w.clients))]
	ip := c.ips[g.intn(len(c.ips))]
	sess := g.session()
	b := cat(g.dovecot(), "auth: sql(", c.name, ",", ip, ",<", sess, ">): Password mismatch")
	g.line(t, b, pending{ip: ip, fails: 1})
	g.login(t+2*sec+g.between(1*sec, 6*sec), "imap", c.name, ip, sess)
}

// breakIn is an attacker who fails and then gets in with a guessed or
// leaked password, over IMAP or, to relay spam, over submission.
func (g *gen) breakIn(t int64) {
	a := g.idleAttacker(t)
	if a == nil {
		g.dovecotNoise(t, publicIPv4(g.rng))
		return
	}
	acct := g.w.real[g.intn(len(g.w.real))]
	g.eventEnd = t
	g.dovecotFailure(t, a.ip, "imap", acct, dv23, true, "")
	a.busyUntil = g.eventEnd + pairWindow
	t += g.between(20*sec, 120*sec)
	if g.intn(3) == 0 {
		g.submission(t, acct.name, a.ip, a.ptr)
		return
	}
	g.loginSession(t, "imap", acct.name, a.ip)
}
