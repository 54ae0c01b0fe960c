package sim

import (
	"fmt"
	"time"

	"github.com/mailcop/mailcop/internal/watch"
)

// Background attacks, per 1,000 accounts a day: a small public mail
// server sees a few hundred brute-forcing addresses a day (mostly rented
// servers, guessing role accounts and the addresses published on the
// web) and more addresses of credential-stuffing botnets and
// residential proxies, each trying a few accounts of a leaked list once
// or twice. The proxies sell the addresses of home lines and mobile
// carriers: the same CGNAT pools and /24s the server's own users come
// from.
const (
	bruteAddrs  = 150
	stuffAddrs  = 600
	officeInfec = 1.0 / 365 // a day, per office: a machine behind the office's NAT joins a botnet, once a year
)

// roleAccounts are guessed on every server; a few exist.
var roleAccounts = []string{"admin", "info", "contact", "test", "support", "sales", "office", "webmaster", "postmaster", "user", "mail", "root", "billing", "hr"}

func (s *sim) attackFail(t time.Time, user string, at addr, n int) {
	pw := ""
	if s.cfg.Hashes {
		pw = fmt.Sprintf("g%07x", s.r.Uint32()&0xfffffff) // a guesser sends a new password each time
	}
	s.add(item{ev: watch.Event{Time: t, User: user, IP: at.ip, Country: at.country, ASN: at.asn, Service: "imap", Attempts: n, PwHash: pw}, kind: attacker})
}

// hostingAddr is a rented server's address, the attack countries' first
// ones most often.
func (s *sim) hostingAddr() (addr, *isp, int) {
	r := s.r
	i := min(int(r.ExpFloat64()*4), len(s.w.hosting)-1)
	p := s.w.hosting[i]
	as := r.IntN(len(p.asns))
	return p.pick(r, as, false), p, as
}

// residentialAddr is a home line's or a carrier's address of country c.
func (s *sim) residentialAddr(c *country, mobile bool) addr {
	r := s.r
	if mobile {
		p := c.mobile[r.IntN(len(c.mobile))]
		return p.pick(r, -1, r.Float64() < 0.3)
	}
	return c.fixed[r.IntN(len(c.fixed))].pick(r, 0, false)
}

func (s *sim) foreignCountry() *country {
	return s.w.countries[attackCountries[min(int(s.r.ExpFloat64()*4), len(attackCountries)-1)]]
}

// target is an account a guesser tries: a role account, most existing
// nowhere, or one published on the web.
func (s *sim) target() string {
	r := s.r
	if r.Float64() < 0.5 {
		return roleAccounts[r.IntN(len(roleAccounts))] + "@example.org"
	}
	return s.published[r.IntN(len(s.published))].user
}

// listed is an account of a leaked list: an owner's, or one that does
// not exist.
func (s *sim) listed() string {
	r := s.r
	if r.Float64() < 0.5 {
		return s.accounts[r.IntN(len(s.accounts))].user
	}
	return fmt.Sprintf("x%06d@example.org", r.IntN(1_000_000))
}

// attacks adds the day's background attacks.
func (s *sim) attacks(d time.Time) {
	r := s.r
	scale := float64(s.cfg.Accounts) / 1000
	home := s.w.countries["FR"]
	for range int(bruteAddrs*scale + 0.5) {
		var at addr
		switch x := r.Float64(); {
		case x < 0.75:
			at, _, _ = s.hostingAddr()
		case x < 0.85:
			at = s.residentialAddr(home, false)
		case x < 0.95:
			at = s.residentialAddr(home, true)
		default:
			at = s.residentialAddr(s.foreignCountry(), false)
		}
		t := d.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		span := time.Duration(logUniform(r, 10, 360)) * time.Minute
		users := make([]string, 1+r.IntN(3))
		for i := range users {
			users[i] = s.target()
		}
		n := logUniform(r, 10, 300)
		for i := 0; i < n; {
			k := 1 + r.IntN(3) // a session's attempts
			s.attackFail(t.Add(span*time.Duration(i)/time.Duration(n)), users[r.IntN(len(users))], at, k)
			i += k
		}
	}
	for range int(stuffAddrs*scale + 0.5) {
		var at addr
		switch x := r.Float64(); {
		case x < 0.40:
			at = s.residentialAddr(s.foreignCountry(), r.Float64() < 0.3)
		case x < 0.55:
			at = s.residentialAddr(home, false)
		case x < 0.70:
			at = s.residentialAddr(home, true)
		case x < 0.90:
			at, _, _ = s.hostingAddr()
		default:
			exits := s.w.vpn[r.IntN(len(s.w.vpn))]
			at = exits[r.IntN(len(exits))].pick(r, 0, false)
		}
		t := d.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
		for i := range 2 + r.IntN(5) {
			s.attackFail(t.Add(time.Duration(i)*time.Duration(1+r.IntN(10))*time.Minute), s.listed(), at, 1)
		}
	}
	for _, code := range s.w.codes {
		for _, o := range s.offices[code] {
			if r.Float64() >= officeInfec {
				continue
			}
			t := d.Add(9*time.Hour + time.Duration(r.Int64N(int64(8*time.Hour))))
			for i := range 50 + r.IntN(150) {
				s.attackFail(t.Add(time.Duration(i)*time.Minute), s.listed(), o, 1)
			}
		}
	}
}

// bk is a kind of break-in injected.
type bk uint8

const (
	bkNone    bk = iota
	bkBrute      // a brute force, then the right password, from the same address
	bkStuff      // a leaked list tried from one address, this account's password worked
	bkNetwork    // a fresh address of a /24 whose addresses tried other accounts
	bkAS         // a fresh address of an AS whose addresses tried this account
	bkFar        // the password used from a far country, first try, on an account with a long history
	bkTravel     // the same, minutes after the owner's login at home
	bkLocal      // the password used from a home line of the owner's own country, first try
	nBK
)

var bkNames = [nBK]string{"", "brute force, then in", "credential stuffing, then in", "from an attacking /24",
	"from an attacking AS", "far country, first try", "impossible travel", "own country's ISP, first try"}

// rule is the class each kind is meant to be caught by: a break-in
// another rule happens to catch (a far country's brute force is also
// impossible travel) does not show that its own rule works.
var bkRule = [nBK]watch.Class{bkBrute: watch.Brute, bkStuff: watch.Spray, bkNetwork: watch.Network, bkAS: watch.AS,
	bkFar: watch.NewCountry, bkTravel: watch.Travel}

// Expected reports whether the rules are meant to catch the kind: a
// stolen password used from a home line in the owner's country, first
// try, looks like the owner's own login and is caught by none.
func (k bk) Expected() bool { return k != bkLocal && k != bkNone }

type plannedBreakin struct {
	at   time.Time
	kind bk
}

// planBreakins spreads the break-ins over the measured weeks: a few of
// each kind, at office hours on weekdays (the owner is then logging in,
// which the impossible travel needs).
func (s *sim) planBreakins(from time.Time) {
	r := s.r
	n := max(3, int(2*float64(s.cfg.Accounts)/1000*float64(s.cfg.Weeks)+0.5))
	for k := bkBrute; k < nBK; k++ {
		for range n {
			// A weekday of the measured weeks (they start on a Monday).
			d := from.AddDate(0, 0, 7*r.IntN(s.cfg.Weeks)+r.IntN(5))
			s.plan = append(s.plan, plannedBreakin{at: d.Add(10*time.Hour + time.Duration(r.Int64N(int64(6*time.Hour)))), kind: k})
		}
	}
}

// victim is an account of a settled office worker living in France, at
// home today, not abroad and not behind a VPN, and not broken into
// before (a learnt break-in's country would be known): for the
// far-country and travel kinds, the country is one its history cannot
// hold.
func (s *sim) victim() *account {
	for i := 0; ; i++ {
		a := s.accounts[s.r.IntN(len(s.accounts))]
		if a.pop == popOffice && !a.newcomer && a.trip == nil && a.home.code == "FR" && (!a.victim || i > 100_000) {
			a.victim = true
			return a
		}
	}
}

// farCountry is a country between lo and hi km from the victim's, not
// near one its trips went to (the rules take a neighbour of a known
// country for a trip, as they should): stolen passwords are used
// through proxies anywhere.
func (s *sim) farCountry(a *account, lo, hi float64) *country {
	for {
		c := s.w.codes[s.r.IntN(len(s.w.codes))]
		if km, ok := watch.DistanceKm(a.home.code, c); ok && km > lo && km < hi && !s.nearVisited(a, c) {
			return s.w.countries[c]
		}
	}
}

func (s *sim) nearVisited(a *account, c string) bool {
	for _, v := range a.visited {
		if km, ok := watch.DistanceKm(v, c); v == c || ok && km < s.cfg.Engine.NearKm {
			return true
		}
	}
	return false
}

func (s *sim) breakinLogin(a *account, t time.Time, at addr, k bk) {
	s.add(item{ev: watch.Event{Time: t, Success: true, User: a.user, IP: at.ip, Country: at.country, ASN: at.asn, Service: "imap"}, kind: breakin, bk: k})
}

// breakins adds the day's planned break-ins, each with the attack that
// led to it.
func (s *sim) breakins(d time.Time) {
	r := s.r
	for _, p := range s.plan {
		if p.at.Before(d) || !p.at.Before(d.Add(24*time.Hour)) {
			continue
		}
		a, t := s.victim(), p.at
		switch p.kind {
		case bkBrute:
			at, _, _ := s.hostingAddr()
			n := 20 + r.IntN(40)
			for i := range n {
				s.attackFail(t.Add(-time.Duration(n-i)*time.Minute), a.user, at, 1)
			}
			s.breakinLogin(a, t, at, p.kind)
		case bkStuff:
			at := s.residentialAddr(s.foreignCountry(), false)
			for i := range 10 + r.IntN(20) {
				s.attackFail(t.Add(-time.Duration(i+1)*time.Minute), s.listed(), at, 1)
			}
			s.breakinLogin(a, t, at, p.kind)
		case bkNetwork:
			_, h, as := s.hostingAddr()
			n24 := h.net(r, as)
			var used []string
			for i := range 4 {
				at := h.in24(r, as, n24)
				used = append(used, at.ip)
				for j := range 2 + r.IntN(3) {
					s.attackFail(t.Add(-time.Duration(30+10*i+j)*time.Minute), s.listed(), at, 1)
				}
			}
			fresh := h.in24(r, as, n24)
			for contains(used, fresh.ip) {
				fresh = h.in24(r, as, n24)
			}
			s.breakinLogin(a, t, fresh, p.kind)
		case bkAS:
			_, h, as := s.hostingAddr()
			for i := range 2 {
				s.attackFail(t.Add(-time.Duration(3-i)*time.Hour), a.user, h.pick(r, as, false), 4)
			}
			s.breakinLogin(a, t, h.pick(r, as, false), p.kind)
		case bkFar:
			// Before dawn, from a country two or three hours' flight
			// away: the owner's last login, before midnight, leaves time
			// for the trip, so that only "new country" can tell.
			t = d.Add(4*time.Hour + time.Duration(r.Int64N(int64(25*time.Minute))))
			s.breakinLogin(a, t, s.residentialAddr(s.farCountry(a, 1000, 2000), false), p.kind)
		case bkTravel:
			// Right after one of the owner's logins of the day.
			last := time.Time{}
			for i := range s.items {
				if it := &s.items[i]; it.ev.User == a.user && it.ev.Success && it.kind == owner && it.ev.Time.Before(t) && it.ev.Time.After(last) {
					last = it.ev.Time
				}
			}
			if !last.IsZero() && t.Sub(last) > time.Hour {
				t = last.Add(5 * time.Minute)
			}
			s.breakinLogin(a, t, s.residentialAddr(s.farCountry(a, 1500, 20000), false), p.kind)
		case bkLocal:
			c := a.home
			var at addr
			for at.asn == 0 || at.asn == a.fixed.asns[0] {
				at = s.residentialAddr(c, false)
			}
			s.breakinLogin(a, t, at, p.kind)
		}
	}
}
