package report

import (
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/watch"
)

// stats is what a report knows at the end of its input, kept per group
// (address, account, (address, account) pair, network, country, hour),
// never per record: memory follows the attack's breadth, not the log's
// length. Only the few logins worth listing, the last -top attempts and
// fail2ban's bans are kept one by one.
type stats struct {
	loc *time.Location
	top int

	first, last time.Time
	haveTime    bool

	attempts int64 // failed attempts (sum of "attempts")
	logins   int64 // successful logins
	after    int64 // logins from an address that had failed before
	nHigh    int64 // possible compromises
	records  int64 // records used (auth, ban, unban, unmatched)

	ipIdx   map[string]int32
	ips     []ipStat
	userIdx map[string]int32
	users   []userStat
	pairs   map[uint64]int64     // failed attempts per (address, account)
	hashes  map[uint64]*hashStat // the password hashes of a pair

	// eng judges the logins, by the watch's rules (see judgeConfig).
	eng *watch.Engine

	countries map[string]*countryStat
	nets      map[string]*netStat
	hosts     map[string]*hostStat
	hostIPs   map[uint64]struct{} // (host, address) pairs of failures: who attacked several servers
	hours     map[int64]int64     // failed attempts per local hour (hours since the epoch, wall clock)
	geo       bool                // some record carried what mailcop-geo adds

	listed  []login // logins after failures, in input order
	dropped int64   // beyond maxListed

	lastRing []attempt // the last -top attempts, a ring
	lastN    int64

	f2b   bool // fail2ban records were in the input
	bans  map[string]*ban
	nBans int64

	unmatched   int64
	unmatchedEx []string
	warnings    []string // -warnings: what the stages upstream said, made safe
	blind       []string // hosts whose log cannot show every attempt (mailcop-parse's coverage records)

	tstr string // the last time string parsed, and its value
	tval time.Time
	tok  bool
}

type ipStat struct {
	ip       string
	attempts int64
	users    int64 // distinct accounts tried
	net      string
	country  string // key into countries, "" when unknown
	asn      int
	asOrg    string
	geoDone  bool
}

type userStat struct {
	name     string
	attempts int64
	ips      int64 // distinct addresses that tried it
	exists   int8  // 0 unknown, -1 only unknown_user seen, 1 proven
}

type countryStat struct {
	label    string // "CN, China", or a reserved scope such as "private"
	attempts int64
	ips      int64
}

type netStat struct {
	attempts int64
	ips      int64
}

type hostStat struct {
	attempts, logins int64
	ips              int64  // distinct addresses that failed on it
	id               uint32 // its number in hostIPs' keys
	name             string // as first logged
}

// hashStat holds the password hashes a pair sent, up to a few: a client
// that repeats one hash has an old password; one that sends many is
// guessing, and is no longer followed.
type hashStat struct {
	n    [4]int64
	hash [4]string
}

func (h *hashStat) add(hash string) {
	for i := range h.hash {
		switch h.hash[i] {
		case hash:
			h.n[i]++
			return
		case "":
			h.hash[i] = strings.Clone(hash)
			h.n[i] = 1
			return
		}
	}
}

type attempt struct {
	time     time.Time
	user, ip string
	country  string
	service  string
	n        int64
}

type ban struct {
	ip       string
	jail     string
	time     time.Time
	n        int64
	restored bool
}

// login is a successful login worth a look, as the watch judged it.
type login struct {
	time    time.Time
	user    string
	ip      string
	country string
	service string
	v       watch.Verdict
	alarm   bool   // a possible compromise; else a slip of the owner's
	reasons string // an alarm of the watch's journal (-state-dir): its own words
}

// judgeConfig is the watch's rules as the summary applies them: the
// failures of the whole period count against a later login, however long
// the period (the watch remembers them for a week, the summary's input
// may be longer); every other figure is the watch's.
func judgeConfig() watch.Config {
	cfg := watch.Defaults()
	cfg.Failures = 100 * 365 * 24 * time.Hour
	return cfg
}

// maxListed bounds the logins kept for the summary.
const maxListed = 1000

// maxBlind bounds the hosts named in the coverage section.
const maxBlind = 100

func newStats(loc *time.Location, top int) *stats {
	return &stats{
		loc:       loc,
		top:       top,
		ipIdx:     map[string]int32{},
		userIdx:   map[string]int32{},
		pairs:     map[uint64]int64{},
		hashes:    map[uint64]*hashStat{},
		eng:       watch.New(judgeConfig()),
		countries: map[string]*countryStat{},
		nets:      map[string]*netStat{},
		hosts:     map[string]*hostStat{},
		hostIPs:   map[uint64]struct{}{},
		hours:     map[int64]int64{},
		bans:      map[string]*ban{},
		lastRing:  make([]attempt, top),
	}
}

// add takes one record into account. For a successful login it returns
// the watch's verdict on it, given what came before it in the input.
func (s *stats) add(r *record.Record) (login, bool) {
	switch r.Event {
	case record.EventAuth:
		switch r.Outcome {
		case record.OutcomeFailure:
			s.note(r)
			s.failure(r)
		case record.OutcomeSuccess:
			s.note(r)
			return s.success(r), true
		}
	case record.EventBan, record.EventUnban:
		s.note(r)
		s.f2b = true
		if r.Event == record.EventBan && r.IP != "" {
			s.nBans++
			b := s.bans[r.IP]
			if b == nil {
				b = &ban{ip: strings.Clone(r.IP)}
				s.bans[b.ip] = b
			}
			b.n++
			b.time = s.tval
			if jail, ok := r.Get("jail"); ok {
				b.jail = strings.Clone(jail)
			}
			v, _ := r.Get("restored")
			b.restored = v == "true"
		}
	case record.EventCoverage:
		// Said once per host at the end of mailcop-parse's input; it has
		// no time and is no event of the period.
		if r.Reason == "auth_not_logged" && len(s.blind) < maxBlind && !slices.Contains(s.blind, r.Host) {
			s.blind = append(s.blind, strings.Clone(r.Host))
		}
	case record.EventUnmatched:
		s.note(r)
		s.unmatched++
		if len(s.unmatchedEx) < 3 && r.Line != "" {
			s.unmatchedEx = append(s.unmatchedEx, clip(r.Line, 300))
		}
	}
	return login{}, false
}

// note counts a record and its time in the period.
func (s *stats) note(r *record.Record) {
	s.records++
	if r.Time != s.tstr {
		s.tstr = strings.Clone(r.Time)
		var err error
		s.tval, err = time.Parse(time.RFC3339Nano, r.Time)
		s.tok = err == nil
	}
	if !s.tok {
		return
	}
	if !s.haveTime || s.tval.Before(s.first) {
		s.first = s.tval
	}
	if !s.haveTime || s.tval.After(s.last) {
		s.last = s.tval
	}
	s.haveTime = true
}

// host returns the stats of r's server, kept under the lower-case name:
// host names are the same whatever their case (MX1 is mx1).
func (s *stats) host(r *record.Record) *hostStat {
	h := s.hosts[r.Host]
	if h == nil {
		key := strings.ToLower(r.Host)
		if h = s.hosts[key]; h == nil {
			h = &hostStat{id: uint32(len(s.hosts)), name: strings.Clone(r.Host)}
			s.hosts[key] = h
		}
	}
	return h
}

func (s *stats) failure(r *record.Record) {
	n := int64(1)
	if r.Attempts > 1 {
		n = int64(r.Attempts)
	}
	s.attempts = sat(s.attempts, n)
	h := s.host(r)
	h.attempts = sat(h.attempts, n)
	if r.Country != "" || r.Scope != "" || r.ASN != 0 {
		s.geo = true
	}

	ipi := s.ip(r)
	ui := s.user(r.User)
	// An attempt the auth service failed to judge (postfix gave up
	// waiting for dovecot, and not for a penalty of the address's) is
	// counted, but joins no (address, account) pair, by the watch's rule
	// (watch.Engine.Outage): the one its judging applies.
	ev := s.event(r)
	outage := s.eng.Outage(&ev)
	s.eng.Add(&ev)
	if ipi >= 0 {
		key := uint64(h.id)<<32 | uint64(ipi)
		if _, ok := s.hostIPs[key]; !ok {
			s.hostIPs[key] = struct{}{}
			h.ips++
		}
		s.ips[ipi].attempts = sat(s.ips[ipi].attempts, n)
		nt := s.nets[s.ips[ipi].net]
		nt.attempts = sat(nt.attempts, n)
	}
	if ui >= 0 {
		u := &s.users[ui]
		u.attempts = sat(u.attempts, n)
		switch {
		case r.Reason == record.ReasonPasswordMismatch:
			u.exists = 1
		case r.Reason == record.ReasonUnknownUser && u.exists == 0:
			u.exists = -1
		}
	}
	if ipi >= 0 && ui >= 0 && !outage {
		key := uint64(ipi)<<32 | uint64(ui)
		if _, ok := s.pairs[key]; !ok {
			s.ips[ipi].users++
			s.users[ui].ips++
		}
		s.pairs[key] = sat(s.pairs[key], n)
		if r.PwHash != "" {
			h := s.hashes[key]
			if h == nil {
				h = &hashStat{}
				s.hashes[key] = h
			}
			h.add(r.PwHash)
		}
	}

	ck := countryKey(r)
	c := s.countries[ck]
	if c == nil {
		c = &countryStat{label: countryLabel(r)}
		s.countries[strings.Clone(ck)] = c
	}
	c.attempts = sat(c.attempts, n)
	if ipi >= 0 && !s.ips[ipi].geoDone {
		s.ips[ipi].geoDone = true
		s.ips[ipi].country = ck
		c.ips++
	}

	if s.tok {
		_, off := s.tval.In(s.loc).Zone()
		h := s.tval.Unix() + int64(off)
		if h < 0 {
			h -= 3599
		}
		s.hours[h/3600] = sat(s.hours[h/3600], n)
	}

	if len(s.lastRing) > 0 {
		s.lastRing[s.lastN%int64(len(s.lastRing))] = attempt{
			time: s.tval, user: strings.Clone(r.User), ip: strings.Clone(r.IP),
			country: countryLabel(r), service: strings.Clone(r.Service), n: n,
		}
		s.lastN++
	}
}

// ip returns the index of r's address, -1 when it has none.
func (s *stats) ip(r *record.Record) int32 {
	if r.IP == "" {
		return -1
	}
	i, ok := s.ipIdx[r.IP]
	if !ok {
		i = int32(len(s.ips))
		st := ipStat{ip: strings.Clone(r.IP), net: netOf(r.IP)}
		s.ipIdx[st.ip] = i
		s.ips = append(s.ips, st)
		nt := s.nets[st.net]
		if nt == nil {
			nt = &netStat{}
			s.nets[st.net] = nt
		}
		nt.ips++
	}
	st := &s.ips[i]
	if st.asn == 0 && r.ASN != 0 {
		st.asn = r.ASN
	}
	if st.asOrg == "" && r.ASOrg != "" {
		st.asOrg = strings.Clone(r.ASOrg)
	}
	return i
}

// user returns the index of an account, -1 for none.
func (s *stats) user(name string) int32 {
	if name == "" {
		return -1
	}
	i, ok := s.userIdx[name]
	if !ok {
		i = int32(len(s.users))
		st := userStat{name: strings.Clone(name)}
		s.userIdx[st.name] = i
		s.users = append(s.users, st)
	}
	return i
}

// event is what the watch's rules read of r, at its time, or at the
// latest time seen when it has none. Its strings are r's: the engine
// copies what it keeps.
func (s *stats) event(r *record.Record) watch.Event {
	t := s.tval
	if !s.tok {
		t = s.eng.Now()
	}
	return watch.Event{
		Time: t, Success: r.Outcome == record.OutcomeSuccess, User: r.User, IP: r.IP,
		Country: r.Country, ASN: r.ASN, Service: r.Service,
		Attempts: r.Attempts, PwHash: r.PwHash, GaveUp: r.Reason == record.ReasonTemporaryFailure,
	}
}

// success judges a login as the watch does (-alert, -live), on the
// records before it in the input: the logins it makes an alarm are the
// possible compromises; those after a slip of the owner's (a typo, an
// old password, a shared network's failures) are listed apart. A login
// to an account under attack from an address that never failed (Target)
// and one from a new AS in a known country (NewAS) are not listed: the
// account's owner logs in all day.
func (s *stats) success(r *record.Record) login {
	s.logins++
	s.host(r).logins++
	if ui := s.user(r.User); ui >= 0 {
		s.users[ui].exists = 1
	}
	ev := s.event(r)
	v, _ := s.eng.Add(&ev)
	l := login{time: s.tval, v: v, alarm: v.Alarm()}
	slip := slices.ContainsFunc(v.Classes, func(c watch.Class) bool {
		return c == watch.Typo || c == watch.Stale || c == watch.OwnNet
	})
	if slip || slices.ContainsFunc(v.Classes, func(c watch.Class) bool { return c == watch.Brute || c == watch.Spray }) {
		s.after++ // the address had failed before
	}
	if !l.alarm && !slip {
		return l
	}
	l.user, l.ip, l.service = strings.Clone(r.User), strings.Clone(r.IP), strings.Clone(r.Service)
	l.country, l.v.Country = countryLabel(r), strings.Clone(v.Country)
	if l.alarm {
		s.nHigh++
	}
	if len(s.listed) < maxListed {
		s.listed = append(s.listed, l)
	} else {
		s.dropped++
	}
	return l
}

// countryKey is what a record's failures are counted under among the
// countries: the ISO code, a reserved scope in parentheses, or "".
func countryKey(r *record.Record) string {
	switch {
	case r.Country != "":
		return r.Country
	case r.Scope != "":
		return "(" + r.Scope + ")"
	}
	return ""
}

// countryLabel is how a record's place reads: "CN, China", "CN", a
// reserved scope ("private"), or "".
func countryLabel(r *record.Record) string {
	switch {
	case r.Country != "" && r.CountryName != "":
		return clip(r.Country, 8) + ", " + clip(r.CountryName, 40)
	case r.Country != "":
		return clip(r.Country, 8)
	}
	return clip(r.Scope, 20)
}

// netOf is the /24 or /64 around an address, or the address itself when
// it is not one.
func netOf(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	bits := 64
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// sat is a+n for counts, held at the largest int64 instead of wrapping
// into negatives: "attempts" comes from the input, and a hostile value
// must not turn a total upside down.
func sat(a, n int64) int64 {
	if a > math.MaxInt64-n {
		return math.MaxInt64
	}
	return a + n
}
