package watch

import (
	"slices"
	"strings"
	"time"
)

// Place is where an account's logins came from: a country, an AS and a
// network (the /24 or /64), with the clients (services) seen there.
type Place struct {
	Country string    `json:"country,omitempty"`
	ASN     int       `json:"asn,omitempty"`
	Net     string    `json:"net,omitempty"`
	Clients []string  `json:"clients,omitempty"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	Logins  int64     `json:"logins"`
	// Alarmed: every login from here so far was an alarm for failures.
	// Such a place says nothing of the account's countries, ASes and
	// networks; it only lets ownNet see an address used for days.
	Alarmed bool `json:"alarmed,omitempty"`
}

// History is an account's logins over the history window.
type History struct {
	User   string    `json:"user"`
	First  time.Time `json:"first"`
	Logins int64     `json:"logins"`
	Places []Place   `json:"places"`
}

type histories struct {
	m         map[string]*History
	max       int
	maxPlaces int
}

func newHistories(limit, places int) *histories {
	return &histories{m: map[string]*History{}, max: max(limit, 16), maxPlaces: max(places, 2)}
}

func (hs *histories) get(user string) *History { return hs.m[user] }

// placeOf is the place a login came from.
func placeOf(ev *Event) Place {
	p := Place{Country: ev.Country, ASN: ev.ASN}
	if a, ok := parseAddr(ev.IP); ok {
		bits := 24
		if a.Is6() {
			bits = 64
		}
		pf, _ := a.Prefix(bits)
		p.Net = pf.String()
	}
	return p
}

// add records a login in its account's history; alarmed when failures
// made it an alarm.
func (hs *histories) add(ev *Event, p Place, alarmed bool) {
	h := hs.m[ev.User]
	if h == nil {
		if len(hs.m) >= hs.max {
			hs.forgetOldest()
		}
		h = &History{User: strings.Clone(ev.User), First: ev.Time}
		hs.m[h.User] = h
	}
	h.Logins++
	if ev.Time.Before(h.First) {
		h.First = ev.Time
	}
	i := slices.IndexFunc(h.Places, func(q Place) bool { return q.Country == p.Country && q.ASN == p.ASN && q.Net == p.Net })
	if i < 0 {
		if len(h.Places) >= hs.maxPlaces {
			h.evict(ev.Time)
		}
		p.Country = strings.Clone(p.Country)
		p.First = ev.Time
		p.Alarmed = alarmed
		h.Places = append(h.Places, p)
		i = len(h.Places) - 1
	}
	q := &h.Places[i]
	q.Alarmed = q.Alarmed && alarmed
	q.Logins++
	if ev.Time.After(q.Last) {
		q.Last = ev.Time
	}
	if ev.Service != "" && !slices.Contains(q.Clients, ev.Service) && len(q.Clients) < 8 {
		q.Clients = append(q.Clients, strings.Clone(ev.Service))
	}
}

// evict forgets a place to make room for a new one at now. A carrier's
// CGNAT gives a phone a new address (and /64) at each connection, in
// one of its two or three ASes: a day or a weekend of them must not push
// out the home line, the office, the country of last month's trip or the
// carrier's AS used less often; and the places of the day must not push
// out each other before their second login. So the place that goes is
// one whose country and AS other places still hold, one not used for a
// day if there is one, with the fewest logins, the least recently used
// of those.
func (h *History) evict(now time.Time) {
	day := now.Add(-24 * time.Hour)
	sole := func(p *Place) bool {
		nc, na := 0, 0
		for i := range h.Places {
			if h.Places[i].Country == p.Country {
				nc++
			}
			if h.Places[i].ASN == p.ASN {
				na++
			}
		}
		return nc < 2 || na < 2
	}
	old := -1
	for pass := range 4 {
		for j := range h.Places {
			p := &h.Places[j]
			if (pass == 0 || pass == 2) && p.Last.After(day) || pass < 2 && sole(p) {
				continue
			}
			if old < 0 || p.Logins < h.Places[old].Logins || p.Logins == h.Places[old].Logins && p.Last.Before(h.Places[old].Last) {
				old = j
			}
		}
		if old >= 0 {
			break
		}
	}
	h.Places = slices.Delete(h.Places, old, old+1)
}

// forgetOldest drops the account whose last login is the oldest, past
// the table's size: accounts logging in now matter more.
func (hs *histories) forgetOldest() {
	var oldest *History
	var at time.Time
	for _, h := range hs.m {
		if l := h.last(); l != nil && (oldest == nil || l.Last.Before(at)) {
			oldest, at = h, l.Last
		}
	}
	if oldest != nil {
		delete(hs.m, oldest.User)
	}
}

// expire forgets the places not used since the cutoff, and the accounts
// left with none.
func (hs *histories) expire(cutoff time.Time) {
	for user, h := range hs.m {
		h.Places = slices.DeleteFunc(h.Places, func(p Place) bool { return p.Last.Before(cutoff) })
		if len(h.Places) == 0 {
			delete(hs.m, user)
			continue
		}
		var n int64
		first := h.Places[0].First
		for _, p := range h.Places {
			n += p.Logins
			if p.First.Before(first) {
				first = p.First
			}
		}
		h.Logins, h.First = n, first
	}
}

// usedNet reports whether user's history holds a login from net.
func (hs *histories) usedNet(user, net string) bool {
	h := hs.m[user]
	return h != nil && slices.ContainsFunc(h.Places, func(p Place) bool { return p.Net == net && !p.Alarmed })
}

// usedAS reports whether user's history holds a login from the AS, or
// alarmed ones on two days (after a day of logins from an AS, the alarm
// has gone out, and a carrier whose addresses attack the account is
// still its owner's carrier).
func (hs *histories) usedAS(user string, asn int, t time.Time) bool {
	h := hs.m[user]
	if asn == 0 || h == nil {
		return false
	}
	var first, last time.Time
	for _, p := range h.Places {
		switch {
		case p.ASN != asn:
		case !p.Alarmed:
			return true
		default:
			if first.IsZero() || p.First.Before(first) {
				first = p.First
			}
			last = maxTime(last, p.Last)
		}
	}
	return !first.IsZero() && !first.After(t.Add(-24*time.Hour)) && last.Sub(first) >= 24*time.Hour
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ownNet reports whether user has logged in from net more than once,
// the first time a day or more before t, and sets since to that first
// login: the network is the owner's (home, office, carrier), not one an
// attacker's login of the day taught the history.
func (hs *histories) ownNet(user, net string, t time.Time, since *time.Time) bool {
	h := hs.m[user]
	if h == nil || net == "" {
		return false
	}
	for _, p := range h.Places {
		if p.Net == net && !p.First.After(t.Add(-24*time.Hour)) && p.Last.Sub(p.First) >= time.Hour {
			*since = p.First
			return true
		}
	}
	return false
}

// mature reports whether the history is long enough for "never used" to
// mean something: a new account is not suspicious.
func (h *History) mature(cfg Config, now time.Time) bool {
	return h.Logins >= int64(cfg.MinLogins) || h.Logins >= 2 && now.Sub(h.First) >= cfg.MinAge
}

func (h *History) countries() []string {
	var cs []string
	for _, p := range h.Places {
		if p.Country != "" && !p.Alarmed && !slices.Contains(cs, p.Country) {
			cs = append(cs, p.Country)
		}
	}
	slices.Sort(cs)
	return cs
}

func (h *History) hasAS(asn int) bool {
	return slices.ContainsFunc(h.Places, func(p Place) bool { return p.ASN == asn && !p.Alarmed })
}

// last is the place of the latest login, not counting alarms.
func (h *History) last() *Place {
	var l *Place
	for i := range h.Places {
		if !h.Places[i].Alarmed && (l == nil || h.Places[i].Last.After(l.Last)) {
			l = &h.Places[i]
		}
	}
	return l
}
