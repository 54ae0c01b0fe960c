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
	userAS  map[uint64]int64     // failed attempts per (account, AS)
	targets map[target]bool      // -live: (address, account) logins already noted

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
	outage   int64     // of attempts, those the auth service failed to judge
	judged   time.Time // the latest failure the auth service judged
	users    int64     // distinct accounts tried
	net      string
	country  string // key into countries, "" when unknown
	asn      int
	asOrg    string
	geoDone  bool
}

type userStat struct {
	name     string
	attempts int64
	outage   int64 // of attempts, those the auth service failed to judge
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
	judged   time.Time // the latest failure the auth service judged
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
	n      [4]int64
	hash   [4]string
	hashed int64 // attempts that carried a hash
	many   bool
}

func (h *hashStat) add(hash string) {
	h.hashed++
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
	h.many = true
}

// stale reports whether all of a pair's n failed attempts sent one and the
// same hash.
func (h *hashStat) stale(n int64) bool {
	return h != nil && !h.many && h.hashed == n && h.hash[1] == "" && h.n[0] >= 2
}

type attempt struct {
	time     time.Time
	user, ip string
	country  string
	service  string
	n        int64
}

type target struct{ ip, user string }

type ban struct {
	ip       string
	jail     string
	time     time.Time
	n        int64
	restored bool
}

// class says why a successful login is worth a look, from the least to
// the most alarming.
type class uint8

const (
	classNone   class = iota
	classTarget       // an account under attack, from an address that never failed (-live only)
	classTypo         // one or two failures from the address first
	classStale        // the failures all sent the same (old) password
	classAS           // the address never failed, but its AS attacked this account
	classBrute        // several failures on this account from the address first
	classSpray        // failures on other accounts too
)

func (c class) high() bool { return c >= classAS }

// login is a successful login worth a look.
type login struct {
	time    time.Time
	user    string
	ip      string
	country string
	service string
	class   class
	n, m    int64 // attempts, and other accounts (spray) or addresses (target)
	asn     int
	reasons string // classWatch: the watch's
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
		userAS:    map[uint64]int64{},
		targets:   map[target]bool{},
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
// what the login looks like given what came before it in the input, for
// -live to show.
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
	// waiting for dovecot) is counted, but is no evidence against a later
	// login: an outage must not make a user's retries look like guessing.
	// Unless the address failed a judged attempt shortly before: then
	// dovecot's penalty for it is what made postfix give up.
	gaveUp := r.Reason == record.ReasonTemporaryFailure
	outage := gaveUp && !(ipi >= 0 && s.penalised(ipi))
	if !gaveUp && ipi >= 0 && s.tok {
		s.ips[ipi].judged = s.tval
		s.nets[s.ips[ipi].net].judged = s.tval
	}
	if ipi >= 0 {
		key := uint64(h.id)<<32 | uint64(ipi)
		if _, ok := s.hostIPs[key]; !ok {
			s.hostIPs[key] = struct{}{}
			h.ips++
		}
		s.ips[ipi].attempts = sat(s.ips[ipi].attempts, n)
		nt := s.nets[s.ips[ipi].net]
		nt.attempts = sat(nt.attempts, n)
		if outage {
			s.ips[ipi].outage = sat(s.ips[ipi].outage, n)
		}
	}
	if ui >= 0 {
		u := &s.users[ui]
		u.attempts = sat(u.attempts, n)
		if outage {
			u.outage = sat(u.outage, n)
		}
		switch {
		case r.Reason == record.ReasonPasswordMismatch:
			u.exists = 1
		case r.Reason == record.ReasonUnknownUser && u.exists == 0:
			u.exists = -1
		}
		if r.ASN != 0 && !outage {
			k := uint64(ui)<<32 | uint64(uint32(r.ASN))
			s.userAS[k] = sat(s.userAS[k], n)
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

// penalised reports whether the address (its /64 for IPv6, as the watch
// groups) had a judged failure shortly before the current record.
func (s *stats) penalised(ipi int32) bool {
	if !s.tok {
		return false
	}
	ip := &s.ips[ipi]
	last := ip.judged
	if strings.Contains(ip.ip, ":") {
		last = s.nets[ip.net].judged
	}
	return !last.IsZero() && !s.tval.Before(last) && s.tval.Sub(last) <= watch.PenaltyWindow
}

// success classifies a login by what its address and account went
// through before it in the input.
func (s *stats) success(r *record.Record) login {
	s.logins++
	s.host(r).logins++
	ui := s.user(r.User)
	if ui >= 0 {
		s.users[ui].exists = 1
	}
	l := login{time: s.tval, user: r.User, ip: r.IP, country: countryLabel(r), service: r.Service}
	ipi := int32(-1)
	if r.IP != "" {
		if i, ok := s.ipIdx[r.IP]; ok {
			ipi = i
		}
	}
	key := uint64(ipi)<<32 | uint64(ui)
	switch {
	case ipi >= 0 && s.ips[ipi].attempts > s.ips[ipi].outage:
		ip := &s.ips[ipi]
		var pair int64
		if ui >= 0 {
			pair = s.pairs[key]
		}
		others := ip.users
		if pair > 0 {
			others--
		}
		failed := ip.attempts - ip.outage
		l.n = failed
		switch {
		case others == 0 && pair == failed && s.hashes[key].stale(pair):
			l.class = classStale
		case failed <= 2:
			l.class = classTypo
		case pair == failed:
			l.class = classBrute
		default:
			l.class, l.m = classSpray, others
		}
	case ui >= 0 && s.users[ui].attempts > s.users[ui].outage:
		u := &s.users[ui]
		if n := s.userAS[uint64(ui)<<32|uint64(uint32(r.ASN))]; r.ASN != 0 && n > 0 {
			l.class, l.n, l.asn = classAS, n, r.ASN
			break
		}
		// A login from a clean address to an account under attack is news
		// once per address and account: its owner's phone logs in all day.
		tk := target{ip: r.IP, user: r.User}
		if s.targets[tk] {
			return login{}
		}
		s.targets[target{ip: strings.Clone(r.IP), user: strings.Clone(r.User)}] = true
		l.class, l.n, l.m = classTarget, u.attempts-u.outage, u.ips
	}
	if l.class == classNone {
		return l
	}
	l.user, l.ip, l.service = strings.Clone(l.user), strings.Clone(l.ip), strings.Clone(l.service)
	if l.class >= classTypo {
		if l.class != classAS {
			s.after++
		}
		if l.class.high() {
			s.nHigh++
		}
		if len(s.listed) < maxListed {
			s.listed = append(s.listed, l)
		} else {
			s.dropped++
		}
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
