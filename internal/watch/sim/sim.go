package sim

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/mailcop/mailcop/internal/watch"
)

// Config says what to simulate.
type Config struct {
	Accounts int
	Weeks    int           // measured
	Learn    int           // weeks learnt before, as -alert -learn reads the rotated logs (logrotate keeps 4)
	Seed     uint64        // same seed, same config: same figures
	Hashes   bool          // the server logs wrong passwords' hashes (dovecot's auth_verbose_passwords=sha1)
	Quiet    time.Duration // -alert's -quiet
	Engine   watch.Config
}

// DefaultConfig is the measurement the README quotes.
func DefaultConfig() Config {
	return Config{Accounts: 10_000, Weeks: 8, Learn: 4, Seed: 1, Quiet: 24 * time.Hour, Engine: watch.Defaults()}
}

type kind uint8

const (
	owner kind = iota
	attacker
	breakin
)

// item is an event with what the simulation knows of it.
type item struct {
	ev   watch.Event
	kind kind
	pop  pop
	bk   bk
	seq  int
}

type sim struct {
	cfg       Config
	r         *rand.Rand
	w         *world
	offices   map[string][]addr // per country, the offices' NAT addresses
	accounts  []*account
	published []*account // accounts whose address is on the web: brute force's targets
	items     []item
	plan      []plannedBreakin
}

// The simulation starts on a Monday.
var simStart = time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)

func newSim(cfg Config) *sim {
	s := &sim{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x6d61696c636f70))}
	s.w = newWorld(s.r)
	// Offices: three French sites on business lines, and one in each
	// country where some staff live.
	s.offices = map[string][]addr{}
	for _, h := range homeCountries {
		n := 1
		if h.code == "FR" {
			n = 3
		}
		for range n {
			s.offices[h.code] = append(s.offices[h.code], s.w.countries[h.code].fixed[s.r.IntN(2)].pick(s.r, 0, false))
		}
	}
	measured := simStart.AddDate(0, 0, 7*cfg.Learn)
	for i := range cfg.Accounts {
		x := s.r.Float64()
		p := popOffice
		for q := range nPops {
			if x -= popShares[q]; x < 0 {
				p = q
				break
			}
		}
		a := s.newAccount(i, p)
		a.start = simStart
		if p == popNew {
			a.start = measured.Add(time.Duration(s.r.Int64N(int64(time.Duration(cfg.Weeks) * 7 * 24 * time.Hour))))
			a.pop = popOffice // a hire works like the others
			a.newcomer = true
		}
		s.accounts = append(s.accounts, a)
		if s.r.Float64() < 0.05 {
			s.published = append(s.published, a)
		}
	}
	if len(s.published) == 0 {
		s.published = s.accounts[:1]
	}
	s.planBreakins(measured)
	return s
}

// Result is what a run measured.
type Result struct {
	Config      Config
	Logins      int64                    // the owners' logins in the measured weeks
	False       [nClasses]int64          // alarms on owners' logins, by class
	FalseByPop  [nPops][nClasses]int64   // the same, by the owner's population
	Accounts    [nPops]int               // accounts of each population
	Alarmed     int                      // accounts with at least one false alarm
	Breakins    [nBK]int                 // break-ins injected
	Caught      [nBK]int                 // of which raised an alarm
	ByRule      [nBK]int                 // of which its own rule was among the alarm's classes
	CaughtAs    [nBK][nClasses]int       // by the alarm's class
	Missed      []string                 // the break-ins missed, told
	FalseSample map[watch.Class][]string // a few false alarms of each class, told
	alarmed     map[string]bool          // accounts with a false alarm
	r           *rand.Rand               // picks the samples
}

const nClasses = int(watch.Travel) + 1

// Simulate runs the configured weeks through the engine, the way
// mailcop-report -alert judges them.
func Simulate(cfg Config) *Result {
	s := newSim(cfg)
	res := &Result{Config: cfg, FalseSample: map[watch.Class][]string{}, alarmed: map[string]bool{}, r: rand.New(rand.NewPCG(cfg.Seed, 1))}
	for _, a := range s.accounts {
		p := a.pop
		if a.newcomer {
			p = popNew
		}
		res.Accounts[p]++
	}
	e := watch.New(cfg.Engine)
	measured := simStart.AddDate(0, 0, 7*cfg.Learn)
	for d := range 7 * (cfg.Learn + cfg.Weeks) {
		day := simStart.AddDate(0, 0, d)
		s.items = s.items[:0]
		s.owners(day)
		s.attacks(day)
		s.breakins(day)
		sortItems(s.items)
		measuring := !day.Before(measured)
		for i := range s.items {
			it := &s.items[i]
			v, alarm := e.Judge(&it.ev, cfg.Quiet)
			if !measuring {
				continue // learning: -learn raises no alarm
			}
			if alarm {
				e.NoteAlarm(watch.Alarm{User: it.ev.User, IP: it.ev.IP, Time: it.ev.Time, Class: v.Class().String()})
			}
			res.count(it, &v, alarm)
		}
	}
	return res
}

func (res *Result) count(it *item, v *watch.Verdict, alarm bool) {
	switch {
	case it.kind == owner && it.ev.Success:
		res.Logins++
		if !alarm {
			return
		}
		c := v.Class()
		res.False[c]++
		res.FalseByPop[it.pop][c]++
		res.alarmed[it.ev.User] = true
		res.Alarmed = len(res.alarmed)
		if len(res.FalseSample[c]) < 5 || len(res.FalseSample[c]) < 40 && res.r.IntN(200) == 0 {
			res.FalseSample[c] = append(res.FalseSample[c], fmt.Sprintf("%s %s %s %s AS%d (%s)%s", it.ev.Time.Format("2006-01-02 15:04"),
				it.ev.User, popNames[it.pop], it.ev.Country, it.ev.ASN, it.ev.IP, evidence(v)))
		}
	case it.kind == breakin && it.ev.Success:
		res.Breakins[it.bk]++
		if alarm {
			res.Caught[it.bk]++
			res.CaughtAs[it.bk][v.Class()]++
			if slices.Contains(v.Classes, bkRule[it.bk]) {
				res.ByRule[it.bk]++
			}
		} else {
			res.Missed = append(res.Missed, fmt.Sprintf("%s: %s %s from %s %s AS%d (classes %v)", bkNames[it.bk],
				it.ev.Time.Format("2006-01-02 15:04"), it.ev.User, it.ev.IP, it.ev.Country, it.ev.ASN, v.Classes))
		}
	}
}

func evidence(v *watch.Verdict) string {
	switch v.Class() {
	case watch.Travel:
		return fmt.Sprintf(": from %s, %d km, after %v, known %v", v.From, v.Km, v.After.Round(time.Minute), v.Known)
	case watch.NewCountry:
		return fmt.Sprintf(": known %v, %d logins", v.Known, v.Logins)
	default:
		return fmt.Sprintf(": %d attempts, %d other accounts", v.Attempts, v.Accounts)
	}
}

func (s *sim) add(it item) {
	it.seq = len(s.items)
	if it.ev.Attempts == 0 {
		it.ev.Attempts = 1
	}
	s.items = append(s.items, it)
}

func (s *sim) login(a *account, t time.Time, at addr, service string) {
	s.add(item{ev: watch.Event{Time: t, Success: true, User: a.user, IP: at.ip, Country: at.country, ASN: at.asn, Service: service}, kind: owner, pop: a.popNow()})
}

func (s *sim) ownerFail(a *account, t time.Time, at addr, pw string) {
	s.add(item{ev: watch.Event{Time: t, User: a.user, IP: at.ip, Country: at.country, ASN: at.asn, Service: "imap", PwHash: s.hash(pw)}, kind: owner, pop: a.popNow()})
}

// hash is what dovecot logs of a wrong password, when it is told to.
func (s *sim) hash(pw string) string {
	if !s.cfg.Hashes {
		return ""
	}
	return pw
}

func (a *account) popNow() pop {
	if a.newcomer {
		return popNew
	}
	return a.pop
}

// owners adds the day's logins of every account: the phone polling all
// day, the laptop at the office and some evenings, trips, VPN days,
// password changes and typos.
func (s *sim) owners(d time.Time) {
	r := s.r
	end := d.Add(24 * time.Hour)
	for _, a := range s.accounts {
		if !a.start.Before(end) {
			continue
		}
		a.startTrip(s, d)
		a.plan(s, d)
		if r.Float64() < a.fixed.renew {
			a.homeIP = a.fixed.pick(r, 0, false)
		}
		var staleFrom time.Time
		if r.Float64() < pwChangeWeek/7 {
			// Changed on the laptop at some hour; the phone notices after
			// minutes (70%) or days.
			staleFrom = d.Add(8*time.Hour + time.Duration(r.Int64N(int64(12*time.Hour))))
			stay := time.Duration(10+r.IntN(110)) * time.Minute
			if r.Float64() < 0.3 {
				stay = time.Duration(2+r.IntN(46)) * time.Hour
			}
			a.staleUntil, a.stalePw = staleFrom.Add(stay), fmt.Sprintf("%08x", r.Uint32())
		} else if a.staleUntil.Before(d) {
			staleFrom = a.staleUntil
		} else {
			staleFrom = d
		}
		first := true
		for t := d.Add(a.today.wake + a.today.phoneOffset); t.Before(d.Add(a.today.sleep)); t = t.Add(a.phoneEvery + jitter(r, time.Minute)) {
			if t.Before(a.start) {
				continue
			}
			if first && a.newcomer && t.Sub(a.start) < 24*time.Hour {
				// The account's first day: its owner sets up the phone
				// and gets the password wrong twice.
				at, ok := a.phoneAddr(s, a.where(t), t)
				if ok {
					s.ownerFail(a, t.Add(-time.Minute), at, "first")
				}
			}
			first = false
			at, ok := a.phoneAddr(s, a.where(t), t)
			if !ok {
				continue
			}
			if !t.Before(staleFrom) && t.Before(a.staleUntil) {
				n := 1 + r.IntN(2) // some clients try twice each time
				for range n {
					s.ownerFail(a, t, at, a.stalePw)
				}
				continue
			}
			s.login(a, t, at, "imap")
			if r.Float64() < 0.03 {
				s.login(a, t.Add(time.Minute), at, "submission")
			}
		}
		typo := a.today.typoAt
		for t := d.Add(7*time.Hour + time.Duration(r.Int64N(int64(laptopEvery)))); t.Before(d.Add(23 * time.Hour)); t = t.Add(laptopEvery) {
			if t.Before(a.start) {
				continue
			}
			at, ok := a.laptopAddr(a.where(t), t)
			if !ok {
				continue
			}
			if typo >= 0 && t.Sub(d) >= typo {
				for i := range 1 + r.IntN(2) {
					s.ownerFail(a, t.Add(-time.Duration(30+10*i)*time.Second), at, fmt.Sprintf("typo%d", r.IntN(1000)))
				}
				typo = -1
			}
			s.login(a, t, at, "imap")
			if r.Float64() < 0.05 {
				s.login(a, t.Add(30*time.Second), at, "submission")
			}
		}
	}
}

// logUniform draws between lo and hi, small values as likely as big
// ones by order of magnitude: attack sizes spread so.
func logUniform(r *rand.Rand, lo, hi float64) int {
	return int(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))))
}

func sortItems(items []item) {
	slices.SortFunc(items, func(x, y item) int { return cmp.Or(x.ev.Time.Compare(y.ev.Time), x.seq-y.seq) })
}
