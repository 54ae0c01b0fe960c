// Package watch judges successful logins as they happen, against what
// the recent past makes suspicious: the failures of the last days (per
// address, per network, per account and AS) and each account's history
// of logins (countries, ASes, networks, clients, over 90 days). It is
// the memory behind mailcop-report's -alert and -live: every table is
// bounded, so weeks of a busy server's stream fit in a fixed budget,
// and the whole of it can be saved and loaded again (see state.go), so
// that a restart forgets nothing.
package watch

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Class says why a login is worth a look, from the least to the most
// alarming. The names are those of the alert's JSON.
type Class uint8

const (
	None       Class = iota
	Target           // an account under attack, from an address that never failed
	Typo             // one or two failures from the address first
	Stale            // the failures all sent one same (old) password
	OwnNet           // the address failed, but it is in a network the account has long used: a shared NAT, the owner's old password
	NewAS            // an AS the account never used, in a country it did use
	AS               // the address never failed, but its AS attacked this account
	Brute            // several failures on this account from the address first
	Network          // the address's /24 or /64 attacked other accounts (rotating addresses)
	Spray            // the address failed on other accounts too: credential stuffing
	NewCountry       // a country this account, with enough history, never used
	Travel           // two countries in less time than travel takes
)

var classNames = [...]string{"", "target", "typo", "stale", "own_network", "new_as", "as", "brute", "network", "spray", "new_country", "travel"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// Alarm reports whether the class is worth waking the admin for: the
// lower ones are what an owner's own slips and networks look like.
func (c Class) Alarm() bool { return c >= AS }

// Config holds the rules' figures; Defaults explains each.
type Config struct {
	History     time.Duration // how long a login stays in an account's history
	Failures    time.Duration // how long a failure makes a later login suspicious
	Spray       time.Duration // ...and a failure on other accounts, from the login's address or network
	MinLogins   int           // an account's history says "never used" once it holds this many logins...
	MinAge      time.Duration // ...or spans this long (with at least 2 logins)
	NearKm      float64       // countries closer than this are neighbours: not new, not travel
	SpeedKmH    float64       // the fastest travel (a plane)
	TravelSlack time.Duration // added to each trip (airports)
	MaxAccounts int           // histories kept
	MaxPlaces   int           // places kept per account
	MaxAddrs    int           // failing addresses (and /24 or /64 networks) kept
	MaxPairs    int           // (account, AS) and account failure counts kept
}

// Defaults are the figures the README discusses: Entra asks 14 days or
// 10 logins of history before judging travel; Microsoft's cloud-app
// policies learn 7 days and skip neighbouring countries; Nextcloud keeps
// 60 days. A mail account logs in all day from phones, so 10 logins come
// within a day for an active one; 90 days of history cover a holiday's
// return; a week of failures covers a slow, patient guesser. A
// credential stuffer's hit is logged within its run, while a carrier's
// CGNAT address passes to other subscribers within minutes: failures on
// other accounts make a spray for a day, not a week (measured on
// generated weeks, package sim: a week made one phone owner in ten
// alarm each week on a large server).
func Defaults() Config {
	return Config{
		History:     90 * 24 * time.Hour,
		Failures:    7 * 24 * time.Hour,
		Spray:       24 * time.Hour,
		MinLogins:   10,
		MinAge:      14 * 24 * time.Hour,
		NearKm:      800,
		SpeedKmH:    900,
		TravelSlack: 2 * time.Hour,
		MaxAccounts: 100_000,
		MaxPlaces:   32,
		MaxAddrs:    1 << 19,
		MaxPairs:    1 << 17,
	}
}

// Event is what the rules read of a record.
type Event struct {
	Time     time.Time
	Success  bool
	User     string
	IP       string
	Country  string
	ASN      int
	Service  string
	Attempts int
	PwHash   string
	GaveUp   bool // the server stopped waiting for the auth service: the password was never judged
}

// Verdict is a login judged: its classes, most alarming first, and the
// evidence behind them.
type Verdict struct {
	Classes  []Class
	Country  string   // the login's country
	Attempts int64    // failures from the address (its network for Network; the AS for AS; the account for Target)
	Accounts int64    // accounts the address (or network) tried, this one excluded
	Guesses  int64    // distinct wrong passwords among them, when the log gave hashes
	Net      string   // the network, for Network
	Unnamed  bool     // no line named the login's account: Accounts counts every account the address tried
	ASN      int      // for AS and NewAS
	Known    []string // the account's countries before this login, for NewCountry and Travel
	Logins   int64    // the account's logins in its history
	Since    time.Time
	NetSince time.Time     // OwnNet: the account's first login from the network
	From     string        // Travel: the country of the previous login
	Km       int           // Travel: the distance
	After    time.Duration // Travel: the time since that login
	Addrs    int64         // Target: addresses that failed on the account
}

// Class is the verdict's most alarming class.
func (v *Verdict) Class() Class {
	if len(v.Classes) == 0 {
		return None
	}
	return v.Classes[0]
}

// Alarm reports whether the login is worth an alarm.
func (v *Verdict) Alarm() bool { return v.Class().Alarm() }

// Engine holds the recent failures and the histories.
type Engine struct {
	cfg      Config
	addrs    *failTable      // per address (IPv4) and per /64 (IPv6)
	nets     *failTable      // per /24 (IPv4) and /48 (IPv6)
	accounts *failTable      // per account: failures on it (Target)
	userAS   *table[counter] // per (account, AS)
	hist     *histories
	journal  journal
	now      time.Time // the latest event's time: what "recent" is measured from
	swept    time.Time // when expire last ran: hourly, as it walks every table
}

// New returns an empty engine.
func New(cfg Config) *Engine {
	return &Engine{
		cfg:      cfg,
		addrs:    newTable[fails](cfg.MaxAddrs),
		nets:     newTable[fails](max(cfg.MaxAddrs/4, 1024)),
		accounts: newTable[fails](cfg.MaxPairs),
		userAS:   newTable[counter](cfg.MaxPairs),
		hist:     newHistories(cfg.MaxAccounts, cfg.MaxPlaces),
		journal:  journal{m: map[string]Alarm{}, max: 100_000},
	}
}

// Now is the time of the latest event seen.
func (e *Engine) Now() time.Time { return e.now }

// Add takes an event into account. For a login it returns the verdict
// on it, judged on what came before; the login then joins the account's
// history. One that failures made an alarm joins it marked: an
// attacker's login must not make its country, AS or network the
// account's own, but an office's NAT, whose address gathers the
// colleagues' typos, must become the owner's once used for a day (see
// ownNet). (A login alarming only for a new place is learnt: the alarm
// went out, and a traveller's next logins from there are not news.)
func (e *Engine) Add(ev *Event) (Verdict, bool) {
	if ev.Time.After(e.now) {
		e.now = ev.Time
		if e.now.Sub(e.swept) >= time.Hour {
			e.expire()
		}
	}
	if !ev.Success {
		e.failure(ev)
		return Verdict{}, false
	}
	v := e.judge(ev)
	if ev.User != "" {
		e.hist.add(ev, placeOf(ev), slices.ContainsFunc(v.Classes, func(c Class) bool { return c >= AS && c <= Spray }))
	}
	return v, true
}

// expire forgets, now and then, what no rule can use any more.
func (e *Engine) expire() {
	e.swept = e.now
	fail := e.now.Add(-e.cfg.Failures).Unix()
	for _, t := range []*failTable{e.addrs, e.nets, e.accounts} {
		t.expire(fail)
	}
	e.userAS.expire(fail)
	e.hist.expire(e.now.Add(-e.cfg.History))
	e.journal.expire(e.now.Add(-journalKeep))
}

func (e *Engine) failure(ev *Event) {
	n := uint32(1)
	if ev.Attempts > 1 {
		n = uint32(min(ev.Attempts, 1<<30))
	}
	t := ev.Time.Unix()
	var user uint32 // no account named: none counted
	if ev.User != "" {
		user = hashString(ev.User) | 1
	}
	pw := uint32(0)
	if ev.PwHash != "" {
		pw = hashString(ev.PwHash) | 1
	}
	if e.Outage(ev) {
		return
	}
	a, ok := parseAddr(ev.IP)
	if ok {
		addFailure(e.addrs, addrKey(a), t, n, user, pw, !ev.GaveUp)
		addFailure(e.nets, netKey(a), t, n, user, pw, !ev.GaveUp)
	}
	if ev.User != "" {
		var ip uint32
		if ev.IP != "" {
			ip = hashString(ev.IP) | 1
		}
		// For an account, "accounts" holds the addresses that tried it.
		addFailure(e.accounts, key(user), t, n, ip, 0, !ev.GaveUp)
		if ev.ASN != 0 {
			k := key(uint64(user)<<32 | uint64(uint32(ev.ASN)))
			c := e.userAS.entry(k)
			c.last = max(c.last, uint32(max(t, 0)))
			c.attempts = satAdd(c.attempts, n)
			e.userAS.put(k, c)
		}
	}
}

// PenaltyWindow is how long after a judged failure of an address a
// give-up from it still counts as evidence (here, and so in the daily
// report, which judges by this engine): dovecot delays an address that
// keeps failing (IPv6 by /48) longer than postfix waits, so under a
// brute force most of its attempts end as give-ups.
const PenaltyWindow = 15 * time.Minute

// Outage reports whether a failure is one the rules hold against no
// later login: postfix gave up on dovecot with no judged failure of the
// address shortly before, so the auth service was down or slow, and a
// user's retries must not look like guessing. The daily report counts
// such attempts in its tables, but judges by this rule too.
func (e *Engine) Outage(ev *Event) bool {
	if ev.Success || !ev.GaveUp {
		return false
	}
	a, ok := parseAddr(ev.IP)
	return !ok || !e.penalised(a, ev.Time.Unix())
}

// penalised reports whether the address (its /64 for IPv6) had a judged
// failure shortly before t: a give-up then is dovecot's penalty for it,
// not an outage.
func (e *Engine) penalised(a netip.Addr, t int64) bool {
	f := e.addrs.get(addrKey(a))
	return f != nil && f.judged != 0 && t-int64(f.judged) <= int64(PenaltyWindow/time.Second)
}

// judge applies the rules to a login.
func (e *Engine) judge(ev *Event) Verdict {
	v := Verdict{Unnamed: ev.User == ""}
	user := hashString(ev.User) | 1
	a, okAddr := parseAddr(ev.IP)
	var fromAddr *fails
	if okAddr {
		fromAddr = e.addrs.get(addrKey(a))
	}
	switch {
	case fromAddr != nil:
		others := fromAddr.others(user)
		v.Attempts, v.Accounts, v.Guesses = int64(fromAddr.attempts), others, fromAddr.guesses()
		switch {
		case others == 0 && fromAddr.stale():
			v.Classes = append(v.Classes, Stale)
		case fromAddr.attempts <= 2:
			v.Classes = append(v.Classes, Typo)
		case (others > 0 || fromAddr.guesses() < 3) && e.hist.ownNet(ev.User, placeOf(ev).Net, ev.Time, &v.NetSince):
			// A network the account has used for days is its owner's:
			// an office's NAT gathers the colleagues' typos and old
			// passwords (and an infected machine's spraying), a carrier's
			// CGNAT address its other subscribers'; failures on this
			// account alone are the owner's client with an old password,
			// unless the hashes show a guesser's many passwords.
			v.Classes = append(v.Classes, OwnNet)
			v.Net = placeOf(ev).Net
		case others == 0 && slices.Contains(fromAddr.who[:], user):
			v.Classes = append(v.Classes, Brute)
		case ev.Time.Unix()-int64(fromAddr.last) <= int64(e.cfg.Spray/time.Second):
			v.Classes = append(v.Classes, Spray)
		case slices.Contains(fromAddr.who[:], user):
			v.Classes = append(v.Classes, Brute)
		}
	case okAddr && !e.hist.usedNet(ev.User, placeOf(ev).Net) && !e.hist.usedAS(ev.User, ev.ASN, ev.Time):
		// A network the account already uses is its owner's ISP, which
		// an attacker may share (CGNAT, a hosting provider's range); so
		// is a network of an AS it uses: a carrier hands out addresses
		// of hundreds of /24s, and residential proxies sell them.
		if nf := e.nets.get(netKey(a)); nf != nil && nf.others(user) > 0 && nf.attempts > 2 &&
			ev.Time.Unix()-int64(nf.last) <= int64(e.cfg.Spray/time.Second) {
			v.Classes = append(v.Classes, Network)
			v.Attempts, v.Accounts, v.Guesses = int64(nf.attempts), nf.others(user), nf.guesses()
			v.Net = netString(a)
		}
	}
	if fromAddr == nil && ev.ASN != 0 && ev.User != "" && !e.hist.usedAS(ev.User, ev.ASN, ev.Time) {
		// An AS the account uses is its owner's ISP or carrier: its
		// failures on the account are mostly the owner's own typos and
		// old passwords.
		// One or two failures from an AS are anybody's typos on that
		// ISP, as they are from an address.
		if f := e.userAS.get(key(uint64(user)<<32 | uint64(uint32(ev.ASN)))); f != nil && f.attempts > 2 {
			v.Classes = append(v.Classes, AS)
			if v.Attempts == 0 {
				v.Attempts = int64(f.attempts)
			}
			v.ASN = ev.ASN
		}
	}
	if fromAddr == nil && len(v.Classes) == 0 && ev.User != "" {
		if f := e.accounts.get(key(user)); f != nil {
			v.Classes = append(v.Classes, Target)
			v.Attempts, v.Addrs = int64(f.attempts), int64(f.nAccounts)
		}
	}
	e.judgeHistory(ev, &v)
	slices.SortFunc(v.Classes, func(x, y Class) int { return int(y) - int(x) })
	return v
}

// judgeHistory applies the rules that read the account's history.
func (e *Engine) judgeHistory(ev *Event, v *Verdict) {
	h := e.hist.get(ev.User)
	if h == nil || h.Logins == 0 {
		return // a new account is not suspicious
	}
	v.Logins, v.Since, v.Country = h.Logins, h.First, ev.Country
	if ev.Country == "" {
		return
	}
	known := h.countries()
	if len(known) == 0 {
		return // a history without countries (no mailcop-geo) says nothing of them
	}
	if slices.Contains(known, ev.Country) {
		if ev.ASN != 0 && h.mature(e.cfg, ev.Time) && !h.hasAS(ev.ASN) && !h.hasAS(0) {
			v.Classes = append(v.Classes, NewAS)
			v.ASN = ev.ASN
		}
		return
	}
	v.Known = known
	if near(ev.Country, known, e.cfg.NearKm) {
		return
	}
	last := h.last()
	if last != nil && last.Country != "" && last.Country != ev.Country {
		if km, ok := distanceKm(last.Country, ev.Country); ok {
			need := time.Duration(km/e.cfg.SpeedKmH*float64(time.Hour)) + e.cfg.TravelSlack
			if after := ev.Time.Sub(last.Last); after < need {
				v.Classes = append(v.Classes, Travel)
				v.From, v.Km, v.After = last.Country, int(km), max(after, 0)
				return
			}
		}
	}
	if h.mature(e.cfg, ev.Time) {
		v.Classes = append(v.Classes, NewCountry)
	}
}

// hashString is a stable 32-bit hash (FNV-1a): the tables keep hashes of
// accounts and passwords, not the strings, and the saved state reads the
// same after a restart. A rare collision can only make a spray look like
// a brute force, both alarms.
func hashString(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func parseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// addrKey is an IPv4 address, or an IPv6 address's /64: an IPv6 client
// picks any address of its /64 at will, so the /64 is what one host is.
func addrKey(a netip.Addr) key {
	b := a.As16()
	if a.Is4() {
		// 0:1::/32, reserved, never a /64 on the Internet.
		return key(1<<32 | uint64(b[12])<<24 | uint64(b[13])<<16 | uint64(b[14])<<8 | uint64(b[15]))
	}
	return key(binary.BigEndian.Uint64(b[:8]))
}

// netKey is the network an attacker rotates in: an IPv4 /24, an IPv6 /48.
func netKey(a netip.Addr) key {
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, _ := a.Prefix(bits)
	return addrKey(p.Addr())
}

func netString(a netip.Addr) string {
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, _ := a.Prefix(bits)
	return p.String()
}
