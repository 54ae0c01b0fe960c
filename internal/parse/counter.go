package parse

import (
	"hash/maphash"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// The counting rule: each real attempt counts once, and no record waits.
//
// One failed attempt can leave several lines: dovecot's auth process logs
// it (one line per passdb that judged it), the login process sums up the
// session ("auth failed, 3 attempts"), PAM logs its own line, and when
// postfix asks dovecot to check SMTP AUTH, postfix logs a warning and a
// disconnect summary ("auth=0/1"). The counter emits the first line of an
// attempt at once with attempts=1 and remembers it; a later line that is
// its twin adds nothing, and a summary adds only what its session's lines
// did not already emit. See README "Counting" for the full rule.
type counter struct {
	sessions map[string]*sessionState // by dovecot session id
	conns    map[connKey]*connState
	groups   map[addrKey][]*group
	seen     map[string]*visibility  // per host: which dovecot processes logged
	results  map[string]passdbResult // the exporter's passdb verdicts, by request
	logins   loginSet                // the dovecot sessions whose login was emitted
	sasl     saslLogins              // postfix's logins and the exporter's of postfix's requests
	latest   time.Time               // newest log time seen
	swept    time.Time

	// The clients of a trusted proxy's connections, for 2.4's login_aborted.
	proxied map[proxiedConn]proxiedClient
}

const (
	// twinWindow is how far apart two lines of one attempt may be
	// logged: dovecot's auth_failure_delay is 2 s by default.
	twinWindow = 5 * time.Second
	// outageWindow is the same for postfix's "Connection lost to
	// authentication server": postfix gives up on dovecot after about
	// 10 s, and dovecot logs its verdict whenever it gets to it.
	outageWindow = 15 * time.Second
	// memory is how long attempts are remembered for summaries, which
	// may come minutes after the attempts of their session.
	memory = 10 * time.Minute
	// unknownSessionSpan is how far back a summary that does not say how
	// long its session lasted (dovecot before 2.2) claims auth lines: the
	// login process gives up on an idle client after 3 minutes.
	unknownSessionSpan = 5 * time.Minute
	// connMemory bounds how long a postfix connection is remembered
	// without its disconnect line.
	connMemory = time.Hour
	// sweepEvery is how often (in log time) the old is forgotten: each
	// sweep goes through everything remembered, so not too often; what
	// is too old is kept at most this much longer.
	sweepEvery = memory / 4
)

// proxiedConn is a connection from a trusted proxy, as the exporter's
// events name it: the proxy's address and port.
type proxiedConn struct {
	host string
	ip   string
	port int
}

// proxiedClient is what the connection's auth requests said of it.
type proxiedClient struct {
	ip, session string
	seen        time.Time
}

type connKey struct {
	host string
	pid  int
}
type addrKey struct{ host, ip string }

// sessionState is what was counted of one dovecot session. Its attempts
// may be seen by several programs — the auth process's lines, the event
// exporter's events, the login process's summary — in any order: the
// session counts as many as the one that saw most.
//
// Sessions are known by their id alone, without the host: dovecot makes
// them unique (16 or more characters of random bits, time and pid), and
// the exporter's hostname need not be the one syslog writes (nor is there
// any in dovecot's own log file).
type sessionState struct {
	lines   [srcCount]int // attempts each program reported
	emitted int           // attempts emitted for the session
	last    time.Time     // time of its last auth line (one round of passdbs)
	seen    time.Time
}

// connState is one postfix smtpd connection (host, pid).
type connState struct {
	saslFails int
	success   bool
	seen      time.Time
}

// group is one attempt seen by one or more programs, for pairing the
// lines that carry no session id.
type group struct {
	t       time.Time
	user    string
	passdb  string
	session string
	has     [srcCount]bool
	// anon: that program's line named no user (postfix's "Connection
	// lost to authentication server" names a stale one, dropped): the
	// pairing may move to another attempt, for a line that names this
	// group's user.
	anon    [srcCount]bool
	claimed bool // counted by a login summary
	outage  bool // postfix gave up waiting for dovecot's answer
}

func newCounter() *counter {
	return &counter{
		sessions: make(map[string]*sessionState),
		conns:    make(map[connKey]*connState),
		groups:   make(map[addrKey][]*group),
		seen:     make(map[string]*visibility),
		results:  make(map[string]passdbResult),
		logins:   newLoginSet(),
		sasl:     newSASLLogins(),
		proxied:  make(map[proxiedConn]proxiedClient),
	}
}

// count applies the rule to one event and returns how many attempts the
// record for it stands for; 0 means emit nothing. For a success it returns
// 1 when the login is to be emitted. For a postfix disconnect it also
// returns whether a success is to be emitted.
func (c *counter) count(ev *event, host string, pid int, t time.Time) (attempts int, success bool) {
	if t.After(c.latest) {
		c.latest = t
	}
	if c.latest.Sub(c.swept) > sweepEvery {
		c.sweep()
	}
	if ev.saslWarning {
		c.conn(connKey{host, pid}, t).saslFails++
	}
	c.note(ev, host)
	if ev.src == srcExporter && ev.proxyPort > 0 {
		c.proxy(ev, host, t)
	}
	switch ev.kind {
	case kindPassdbResult:
		c.passdb(ev, t)
		return 0, false
	case kindAttempt:
		if ev.src == srcExporter {
			c.exporterReason(ev, t)
			if ev.reason == "" {
				ev.reason = record.ReasonAuthFailed
			}
		}
		return c.attempt(ev, host, pid, t), false
	case kindSummary:
		return c.summary(ev, host, t), false
	case kindDisconnect:
		return c.disconnect(ev, host, pid, t)
	case kindLogin:
		if ev.daemon == "dovecot" && ev.session != "" && !c.logins.first(ev.session, ev.src == srcExporter) {
			// The login process's line and the exporter's event.
			return 0, false
		}
		if ev.daemon == "postfix" {
			// postfix logs sasl_username for every message of a session.
			k := connKey{host, pid}
			cs := c.conn(k, t)
			if cs.success {
				return 0, false
			}
			cs.success = true
		}
		if ev.daemon == "postfix" || ev.src == srcExporter && ev.session == "" {
			// postfix's SASL requests carry no session: the exporter's
			// success and postfix's login line pair by address and user.
			if !c.sasl.first(ev.daemon == "postfix", ev.ip, ev.user) {
				return 0, false
			}
		}
		return 0, true
	}
	return 0, false
}

// proxy ties an exporter's login_aborted, which names only the proxy's
// connection, to the client and session its auth requests named.
func (c *counter) proxy(ev *event, host string, t time.Time) {
	k := proxiedConn{host, ev.proxyIP, ev.proxyPort}
	if ev.kind != kindSummary {
		if ev.session != "" && ev.proxyIP != ev.ip {
			c.proxied[k] = proxiedClient{ip: ev.ip, session: ev.session, seen: t}
		}
		return
	}
	if p, ok := c.proxied[k]; ok {
		delete(c.proxied, k)
		ev.ip, ev.session = p.ip, p.session
	}
}

func (c *counter) session(id string, t time.Time) *sessionState {
	s := c.sessions[id]
	if s == nil {
		s = &sessionState{}
		c.sessions[id] = s
	}
	s.seen = t
	return s
}

func (c *counter) conn(k connKey, t time.Time) *connState {
	cs := c.conns[k]
	if cs == nil {
		cs = &connState{}
		c.conns[k] = cs
	}
	cs.seen = t
	return cs
}

func (c *counter) attempt(ev *event, host string, pid int, t time.Time) int {
	key := addrKey{host, ev.ip}
	if (ev.src == srcDovecotAuth || ev.src == srcExporter) && ev.session != "" {
		s := c.session(ev.session, t)
		if ev.src == srcDovecotAuth {
			if !s.last.IsZero() && sameSecond(s.last, t) {
				// Several passdbs judged the same attempt.
				return 0
			}
			s.last = t
		}
		s.lines[ev.src]++
		if s.lines[ev.src] <= s.emitted {
			// Another program, or the summary, already counted it.
			return 0
		}
		s.emitted = s.lines[ev.src]
	}
	if g := c.twin(key, ev, t); g != nil {
		g.has[ev.src] = true
		g.anon[ev.src] = ev.user == ""
		return 0
	}
	if ev.src == srcDovecotAuth && ev.session == "" {
		if g := c.samePassdbRound(key, ev, t); g != nil {
			return 0
		}
	}
	g := &group{t: t, user: ev.user, passdb: ev.passdb, session: ev.session, outage: ev.reason == record.ReasonTemporaryFailure}
	g.has[ev.src] = true
	c.groups[key] = append(c.groups[key], g)
	return 1
}

// twin finds the line of another program for the same attempt: same
// address, same user where both name one, close in time, and not yet
// paired with a line of this program.
func (c *counter) twin(key addrKey, ev *event, t time.Time) *group {
	gs := c.groups[key]
	outage := ev.reason == record.ReasonTemporaryFailure
	for i := len(gs) - 1; i >= 0; i-- {
		g := gs[i]
		if t.Sub(g.t) > outageWindow {
			break
		}
		window := twinWindow
		if outage || g.outage {
			window = outageWindow
		}
		if g.has[ev.src] || t.Sub(g.t) > window || g.t.Sub(t) > window || !sameUser(g.user, ev.user) {
			continue
		}
		// Two dovecot lines of different sessions are different attempts,
		// and postfix's requests to dovecot carry no session id.
		if ev.session != "" && g.session != "" && ev.session != g.session {
			continue
		}
		if (ev.src == srcPostfix && g.session != "") || (g.has[srcPostfix] && ev.session != "") {
			continue
		}
		return g
	}
	if ev.user != "" {
		return c.takeBack(key, ev, t)
	}
	return nil
}

// takeBack pairs a line that names a user with that user's attempt when
// a line of the same program that named no one took it first: in a burst
// from one address, the unnamed line pairs as well with another attempt
// still unpaired, which it then takes instead (it could not tell them
// apart; the named line can).
func (c *counter) takeBack(key addrKey, ev *event, t time.Time) *group {
	gs := c.groups[key]
	var mine *group
	for i := len(gs) - 1; i >= 0 && mine == nil; i-- {
		g := gs[i]
		if t.Sub(g.t) > outageWindow {
			break
		}
		if g.has[ev.src] && g.anon[ev.src] && g.user != "" && sameLoggedUser(g.user, ev.user) && g.t.Sub(t) <= twinWindow &&
			!(ev.src == srcPostfix && g.session != "") {
			mine = g
		}
	}
	if mine == nil {
		return nil
	}
	// The other attempt the unnamed line could have paired with, within
	// the wider window of postfix's give-up, as such lines are.
	unnamed := *ev
	unnamed.user, unnamed.reason = "", record.ReasonTemporaryFailure
	other := c.twin(key, &unnamed, t)
	if other == nil {
		return nil
	}
	other.has[ev.src], other.anon[ev.src] = true, true
	mine.has[ev.src], mine.anon[ev.src] = false, false
	return mine
}

// samePassdbRound finds an attempt that another passdb already judged in
// the same second: dovecot tries its passdbs in turn and each may log.
func (c *counter) samePassdbRound(key addrKey, ev *event, t time.Time) *group {
	gs := c.groups[key]
	for i := len(gs) - 1; i >= 0; i-- {
		g := gs[i]
		if t.Sub(g.t) > time.Second {
			break
		}
		if g.has[srcDovecotAuth] && g.session == "" && g.passdb != ev.passdb && g.user == ev.user && sameSecond(g.t, t) {
			return g
		}
	}
	return nil
}

// summary handles a dovecot login process's "N attempts": it adds only
// the attempts its session's auth lines did not already emit.
func (c *counter) summary(ev *event, host string, t time.Time) int {
	n := ev.attempts
	if ev.session != "" {
		if s := c.sessions[ev.session]; s != nil && s.emitted > 0 {
			n -= s.emitted
			if n < 0 {
				n = 0
			}
			s.emitted += n
			s.seen = t
			return n
		}
	}
	// Without session ids, nothing marks the session's own auth lines:
	// it claims up to n unclaimed session-less failures of its address
	// logged during the session. The summary names only the last user
	// tried, so the last line it claims is preferably of that user; the
	// earlier ones may name anyone (attackers switch names within one
	// connection).
	span := unknownSessionSpan
	if ev.secs >= 0 {
		span = twinWindow + time.Duration(ev.secs)*time.Second
	}
	// Only a failure the auth process judged has auth lines to claim (a
	// refused plaintext login never reached it), and never a line that
	// postfix's SASL request caused.
	if ev.reason == record.ReasonAuthFailed && n > 0 {
		gs := c.groups[addrKey{host, ev.ip}]
		mine := func(g *group) bool {
			return !g.claimed && (g.has[srcDovecotAuth] || g.has[srcPAM]) && !g.has[srcPostfix] && g.session == "" &&
				t.Sub(g.t) <= span && g.t.Sub(t) <= twinWindow
		}
		last := len(gs) - 1
		for i := len(gs) - 1; i >= 0 && ev.user != ""; i-- {
			if mine(gs[i]) && gs[i].user == ev.user {
				last = i
				break
			}
		}
		// Its earlier attempts come before its last; a line after it is of
		// a session running beside it, claimed only when nothing else is
		// left (the counts of the address still add up).
		for _, part := range [...]struct{ from, to int }{{last, 0}, {len(gs) - 1, last + 1}} {
			for j := part.from; j >= part.to && n > 0; j-- {
				if mine(gs[j]) {
					gs[j].claimed = true
					n--
				}
			}
		}
	}
	if ev.session != "" {
		// Remember what the summary counted, for auth lines that a
		// reordering logger delivers after it.
		c.session(ev.session, t).emitted = n
	}
	return n
}

// disconnect handles postfix's "auth=S/T": T-S attempts failed, of which
// the SASL warnings of the connection already counted some; what remains
// are AUTH commands refused before any SASL exchange.
func (c *counter) disconnect(ev *event, host string, pid int, t time.Time) (int, bool) {
	k := connKey{host, pid}
	cs := c.conns[k]
	delete(c.conns, k)
	fails := ev.authAll - ev.authOK
	success := ev.authOK > 0
	if cs != nil {
		fails -= cs.saslFails
		success = success && !cs.success
	}
	if fails < 0 {
		fails = 0
	}
	return fails, success
}

// sweep forgets what is too old to be paired any more, so memory follows
// the attack rate, not the log's length.
func (c *counter) sweep() {
	c.swept = c.latest
	c.logins.forget(c.latest)
	c.sasl.forget(c.latest)
	for k, s := range c.sessions {
		if c.latest.Sub(s.seen) > memory {
			delete(c.sessions, k)
		}
	}
	for k, r := range c.results {
		if c.latest.Sub(r.t) > memory {
			delete(c.results, k)
		}
	}
	for k, p := range c.proxied {
		if c.latest.Sub(p.seen) > memory {
			delete(c.proxied, k)
		}
	}
	for k, cs := range c.conns {
		if c.latest.Sub(cs.seen) > connMemory {
			delete(c.conns, k)
		}
	}
	for k, gs := range c.groups {
		i := 0
		for i < len(gs) && c.latest.Sub(gs[i].t) > memory {
			i++
		}
		switch {
		case i == len(gs):
			delete(c.groups, k)
		case i > 0:
			c.groups[k] = append(gs[:0], gs[i:]...)
		}
	}
}

// loginSet remembers the sessions whose login was emitted, for at least
// memory: the login process's line and the exporter's event come seconds
// apart. It keeps a hash of each id, in two generations: a login is one
// entry, no allocation of its own and no reference to the log's text.
//
// Until the exporter's first login, no login can have a twin: the hashes
// are only listed, and go into the sets when the exporter starts (a set
// of every login of a plain log was a good part of the in-order step's
// time).
type loginSet struct {
	seed       maphash.Seed
	cur, prev  map[uint64]struct{}
	listed     [2][]uint64 // before the exporter: [0] the newer generation
	exporterOn bool
	rotated    time.Time
}

func newLoginSet() loginSet {
	return loginSet{seed: maphash.MakeSeed(), cur: map[uint64]struct{}{}, prev: map[uint64]struct{}{}}
}

// first tells whether session's login is the first one seen, and
// remembers it; exporter says whether the exporter's event tells it.
func (l *loginSet) first(session string, exporter bool) bool {
	h := maphash.String(l.seed, session)
	if !l.exporterOn {
		if !exporter {
			l.listed[0] = append(l.listed[0], h)
			return true
		}
		l.exporterOn = true
		for _, h := range l.listed[1] {
			l.prev[h] = struct{}{}
		}
		for _, h := range l.listed[0] {
			l.cur[h] = struct{}{}
		}
		l.listed = [2][]uint64{}
	}
	if _, ok := l.cur[h]; ok {
		return false
	}
	if _, ok := l.prev[h]; ok {
		return false
	}
	l.cur[h] = struct{}{}
	return true
}

// forget drops the older generation once the newer one spans memory.
func (l *loginSet) forget(now time.Time) {
	if now.Sub(l.rotated) < memory {
		return
	}
	if l.exporterOn {
		l.prev, l.cur = l.cur, make(map[uint64]struct{}, len(l.cur))
	} else {
		l.listed[1], l.listed[0] = l.listed[0], l.listed[1][:0]
	}
	l.rotated = now
}

// saslLogins pairs postfix's login lines with the exporter's successes of
// postfix's requests to dovecot, which carry no session: by address and
// user, each pairing with at most one of the other, for at least memory
// (postfix logs sasl_username when mail is queued, seconds or minutes
// after the AUTH). Counts per hash of the pair, in two generations.
type saslLogins struct {
	seed      maphash.Seed
	cur, prev map[uint64][2]uint32 // unpaired logins: [0] the exporter's, [1] postfix's
	rotated   time.Time
}

func newSASLLogins() saslLogins {
	return saslLogins{seed: maphash.MakeSeed(), cur: map[uint64][2]uint32{}, prev: map[uint64][2]uint32{}}
}

// first tells whether a login is new (not the twin of the other
// program's), and remembers it.
func (s *saslLogins) first(postfix bool, ip, user string) bool {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(ip)
	h.WriteByte(0)
	h.WriteString(user)
	k := h.Sum64()
	mine, other := 0, 1
	if postfix {
		mine, other = 1, 0
	}
	for _, m := range [2]map[uint64][2]uint32{s.prev, s.cur} {
		if v, ok := m[k]; ok && v[other] > 0 {
			v[other]--
			m[k] = v
			return false
		}
	}
	v := s.cur[k]
	v[mine]++
	s.cur[k] = v
	return true
}

func (s *saslLogins) forget(now time.Time) {
	if now.Sub(s.rotated) < memory {
		return
	}
	s.prev, s.cur = s.cur, make(map[uint64][2]uint32, len(s.cur))
	s.rotated = now
}

func sameUser(a, b string) bool { return a == "" || b == "" || sameLoggedUser(a, b) }

func sameSecond(a, b time.Time) bool { return a.Unix() == b.Unix() }
