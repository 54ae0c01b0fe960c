package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mailcop/mailcop/internal/watch"
)

// pop is a population of account owners.
type pop uint8

const (
	popOffice    pop = iota // a laptop at the office, a phone, home in the evening: most of a firm's staff
	popMobile               // mail on a phone only, nearly always through the carrier (CGNAT, AS hopping, IPv6)
	popTraveller            // sales, consultants, managers: six trips a year, half of them far
	popVPN                  // a commercial VPN on some days, its exit often in another country
	popNew                  // accounts opened during the measured weeks: hires
	nPops
)

var popNames = [nPops]string{"office", "mobile", "traveller", "vpn", "new"}

// popShares are the populations' shares of the accounts. Office workers
// are the bulk of a business's mailboxes; a quarter read mail only on a
// phone (field staff, retirees of an association, family accounts); one
// in ten travels for work; VPN apps are used by about a third of
// Internet users, but on a mail phone or laptop all day by few; 20%
// staff turnover a year opens about 2% of the accounts in 8 weeks.
var popShares = [nPops]float64{popOffice: 0.55, popMobile: 0.25, popTraveller: 0.10, popVPN: 0.08, popNew: 0.02}

// Figures of the owners' habits.
const (
	laptopEvery  = 10 * time.Minute // Thunderbird's and Outlook's default check interval
	holidaysYear = 1.0              // trips a year of those who do not travel for work
	tripsYear    = 6.0              // a traveller's
	pwChangeWeek = 0.03             // password changes an account a week (about 1.5 a year)
	typoWeek     = 0.10             // typed passwords that go wrong, an account a week
	vpnDays      = 2.0 / 7          // a VPN user's days behind the VPN
)

// place is where an owner is.
type place uint8

const (
	atHome place = iota
	atOffice
	out     // commuting, errands, a walk: the phone on the carrier
	inPlane // no login
	onTrain // the phone on the carrier, roaming past the border
	atHotel // abroad: the hotel's wifi for the laptop
	atVenue // abroad: a client's or a conference's network
)

type account struct {
	user       string
	pop        pop
	home       *country
	fixed      *isp
	homeIP     addr
	office     *addr // the office's NAT address, shared by its staff; nil for phone-only owners
	carrier    *isp
	prefAS     int  // the carrier's AS the phone goes out through most
	v6         bool // the phone takes IPv6 where the carrier offers it
	laptop     bool
	phoneWifi  bool // the phone joins the home wifi
	officeWifi bool // the phone joins the office wifi
	homeRouted bool // roaming data leaves from the home carrier, in the home country (EU roaming's default)
	phoneEvery time.Duration
	start      time.Time // the first login of a new account
	vpn        int       // the VPN provider
	vpnExit    string    // its usual exit
	dests      []string  // a traveller's usual destinations
	newcomer   bool      // opened during the measured weeks
	visited    []string  // the countries its trips went to: a break-in comes from elsewhere
	victim     bool      // broken into once already

	// what changes with time
	trip         *trip
	session      addr // the phone's current carrier address
	sessionISP   *isp
	sessionUntil time.Time
	staleUntil   time.Time // the phone sends the old password until then
	stalePw      string
	today        day
}

// day is an owner's plans for one day.
type day struct {
	start            time.Time
	workday          bool
	leave, arrive    time.Duration // from home to the office
	lunchOut         bool
	quit, back       time.Duration // from the office home
	outFrom, outTo   time.Duration // a weekend's outing
	laptopEvening    bool
	vpn              bool
	vpnLaptop        addr
	vpnPhone         bool
	typoAt           time.Duration // -1: none
	wake, sleep      time.Duration
	phoneOffset      time.Duration
	laptopWeekendDay bool
}

type trip struct {
	dest                     string
	train                    bool
	leave, arrive, ret, home time.Time // leaves home, arrives abroad, leaves abroad, arrives home
	hotel, venue             addr
	hotelWifi                bool // the phone joins the hotel's wifi
}

func (s *sim) newAccount(i int, p pop) *account {
	r := s.r
	a := &account{user: fmt.Sprintf("u%05d@example.org", i), pop: p}
	x := r.Float64()
	for _, h := range homeCountries {
		if x -= h.share; x < 0 || h.code == "CA" {
			a.home = s.w.countries[h.code]
			break
		}
	}
	a.fixed = a.home.fixed[r.IntN(len(a.home.fixed))]
	a.homeIP = a.fixed.pick(r, 0, false)
	a.carrier = a.home.mobile[r.IntN(len(a.home.mobile))]
	a.prefAS = r.IntN(len(a.carrier.asns))
	a.v6 = r.Float64() < 0.8
	a.phoneEvery = time.Duration(15+r.IntN(16)) * time.Minute // iOS fetches every 15 or 30 min; IDLE reconnects every 29
	a.homeRouted = r.Float64() < 0.7
	if p != popMobile {
		a.laptop = true
		os := s.offices[a.home.code]
		o := os[r.IntN(len(os))]
		a.office = &o
		a.officeWifi = r.Float64() < 0.6
		a.phoneWifi = r.Float64() < 0.85
	} else {
		a.phoneWifi = r.Float64() < 0.3
	}
	if p == popVPN {
		// The app's quick connect picks the nearest exit: in the own
		// country or a neighbour; one in five picks a far one (US
		// streaming, say).
		a.vpn = r.IntN(vpnProviders)
		switch x := r.Float64(); {
		case x < 0.45:
			a.vpnExit = a.home.code
		case x < 0.8:
			a.vpnExit = []string{"NL", "CH", "DE", "BE"}[r.IntN(4)]
		default:
			a.vpnExit = []string{"US", "CA", "JP", "GB", "SE"}[r.IntN(5)]
		}
	}
	if p == popTraveller {
		a.dests = []string{farDestinations[r.IntN(len(farDestinations))], farDestinations[r.IntN(len(farDestinations))]}
	}
	return a
}

// plan draws the owner's day.
func (a *account) plan(s *sim, d time.Time) {
	r := s.r
	wd := d.Weekday()
	t := day{start: d, workday: wd != time.Saturday && wd != time.Sunday, typoAt: -1}
	t.wake = 6*time.Hour + jitter(r, 90*time.Minute)
	t.sleep = 23*time.Hour + jitter(r, 45*time.Minute)
	t.leave = 8*time.Hour + jitter(r, 40*time.Minute)
	t.arrive = t.leave + time.Duration(20+r.IntN(50))*time.Minute
	t.lunchOut = r.Float64() < 0.4
	t.quit = 17*time.Hour + 30*time.Minute + jitter(r, time.Hour)
	t.back = t.quit + time.Duration(20+r.IntN(50))*time.Minute
	if r.Float64() < 0.7 {
		t.outFrom = 10*time.Hour + jitter(r, 2*time.Hour)
		t.outTo = t.outFrom + time.Duration(2+r.IntN(6))*time.Hour
	}
	t.laptopEvening = r.Float64() < 0.3
	t.laptopWeekendDay = r.Float64() < 0.3
	t.phoneOffset = time.Duration(r.Int64N(int64(a.phoneEvery)))
	if a.pop == popVPN && r.Float64() < vpnDays {
		t.vpn = true
		exit := a.vpnExit
		if r.Float64() < 0.25 { // another exit: the app's "fastest" or a streaming country
			exit = vpnExits[r.IntN(len(vpnExits))]
		}
		t.vpnLaptop = s.w.vpnIn(a.vpn, exit).pick(r, 0, false)
		t.vpnPhone = r.Float64() < 0.5
	}
	if r.Float64() < typoWeek/7*2 { // on the days a laptop is used
		t.typoAt = 9*time.Hour + time.Duration(r.Int64N(int64(9*time.Hour)))
	}
	a.today = t
}

func jitter(r *rand.Rand, d time.Duration) time.Duration {
	return time.Duration((r.Float64()*2 - 1) * float64(d))
}

// where is the owner at t (within today)?
func (a *account) where(t time.Time) place {
	if tr := a.trip; tr != nil {
		switch {
		case t.Before(tr.leave):
		case t.Before(tr.arrive), !t.Before(tr.ret) && t.Before(tr.home):
			if tr.train {
				return onTrain
			}
			return inPlane
		case t.Before(tr.ret):
			h := t.Sub(a.today.start)
			if h >= 9*time.Hour && h < 18*time.Hour {
				return atVenue
			}
			return atHotel
		}
	}
	d := a.today
	h := t.Sub(d.start)
	if !d.workday || a.office == nil {
		if h >= d.outFrom && h < d.outTo || a.office == nil && d.workday && h >= d.leave && h < d.back {
			return out
		}
		return atHome
	}
	switch {
	case h < d.leave || h >= d.back:
		return atHome
	case h < d.arrive || h >= d.quit:
		return out
	case d.lunchOut && h >= 12*time.Hour+30*time.Minute && h < 13*time.Hour+30*time.Minute:
		return out
	}
	return atOffice
}

// carrierAddr is the phone's address on a carrier at t: CGNAT gives a
// new address at each connection, from one of the carrier's ASes, and
// with IPv6 a new /64.
func (a *account) carrierAddr(r *rand.Rand, p *isp, t time.Time) addr {
	if p == a.sessionISP && t.Before(a.sessionUntil) {
		return a.session
	}
	i := a.prefAS
	if p != a.carrier || r.Float64() < 0.3 {
		i = r.IntN(len(p.asns))
	}
	a.session = p.pick(r, i, a.v6 && r.Float64() < 0.7)
	a.sessionISP = p
	// Connections last from minutes (a lift, a tunnel) to hours.
	a.sessionUntil = t.Add(time.Duration(math.Max(5, r.ExpFloat64()*90)) * time.Minute)
	return a.session
}

// phoneAddr is the phone's address at place p and time t; ok false in a
// plane.
func (a *account) phoneAddr(s *sim, p place, t time.Time) (addr, bool) {
	r := s.r
	d := &a.today
	if d.vpn && d.vpnPhone && p != inPlane {
		return d.vpnLaptop, true
	}
	switch p {
	case inPlane:
		return addr{}, false
	case atHome:
		if a.phoneWifi {
			return a.homeIP, true
		}
	case atOffice:
		if a.officeWifi {
			return *a.office, true
		}
	case atHotel:
		if a.trip.hotelWifi {
			return a.trip.hotel, true
		}
		return a.roam(s, t), true
	case atVenue:
		return a.roam(s, t), true
	case onTrain:
		// Past half the ride, the border.
		if t.Sub(a.trip.leave) > a.trip.arrive.Sub(a.trip.leave)/2 && t.Before(a.trip.arrive) ||
			!t.Before(a.trip.ret) && t.Sub(a.trip.ret) < a.trip.home.Sub(a.trip.ret)/2 {
			return a.roam(s, t), true
		}
	}
	return a.carrierAddr(r, a.carrier, t), true
}

// roam is a roaming phone's address: the home carrier's, in the home
// country, when the data is home-routed; else a local carrier's.
func (a *account) roam(s *sim, t time.Time) addr {
	if a.homeRouted {
		return a.carrierAddr(s.r, a.carrier, t)
	}
	c := s.w.countries[a.trip.dest]
	return a.carrierAddr(s.r, c.mobile[0], t)
}

// laptopAddr is the laptop's address, ok false when it is not in use.
func (a *account) laptopAddr(p place, t time.Time) (addr, bool) {
	if !a.laptop {
		return addr{}, false
	}
	d := &a.today
	h := t.Sub(d.start)
	var at addr
	switch p {
	case atOffice:
		at = *a.office
	case atHome:
		if d.workday && d.laptopEvening && h >= 20*time.Hour && h < 22*time.Hour+30*time.Minute ||
			!d.workday && d.laptopWeekendDay && h >= 10*time.Hour && h < 12*time.Hour {
			at = a.homeIP
		} else if a.pop == popVPN && d.workday && d.vpn && h >= 9*time.Hour && h < 17*time.Hour {
			at = a.homeIP // working from home behind the VPN
		} else {
			return addr{}, false
		}
	case atHotel:
		if h >= 7*time.Hour && h < 8*time.Hour+30*time.Minute || h >= 19*time.Hour && h < 23*time.Hour {
			at = a.trip.hotel
		} else {
			return addr{}, false
		}
	case atVenue:
		at = a.trip.venue
	default:
		return addr{}, false
	}
	if d.vpn {
		return d.vpnLaptop, true
	}
	return at, true
}

// startTrip decides, at the start of day d, whether the owner leaves
// today, and if so draws the trip: by train to a neighbour, else by
// plane, landing no sooner than the distance allows.
func (a *account) startTrip(s *sim, d time.Time) {
	r := s.r
	if a.trip != nil {
		if d.After(a.trip.home) {
			a.trip = nil
		} else {
			return
		}
	}
	rate := holidaysYear
	if a.pop == popTraveller {
		rate = tripsYear
	}
	if r.Float64() >= rate/365 {
		return
	}
	tr := &trip{}
	trains := trainsFrom[a.home.code]
	switch {
	case len(a.dests) > 0 && r.Float64() < 0.6:
		tr.dest = a.dests[r.IntN(len(a.dests))]
	case len(trains) > 0 && r.Float64() < 0.45:
		tr.dest = trains[r.IntN(len(trains))]
	default:
		tr.dest = farDestinations[r.IntN(len(farDestinations))]
	}
	if tr.dest == a.home.code {
		return
	}
	tr.train = contains(trains, tr.dest)
	var ride time.Duration
	if tr.train {
		ride = time.Duration(2+r.IntN(5)) * time.Hour
	} else {
		// Block time: taxiing and climbing, then 830 km/h over a route
		// 5 to 25% longer than between the countries' centres (airports
		// are not at the centres, routes are not great circles). A
		// country missing from the engine's table flies 3 to 9 hours.
		km, ok := watch.DistanceKm(a.home.code, tr.dest)
		if !ok {
			km = 2500 + r.Float64()*5000
		}
		ride = 40*time.Minute + time.Duration(km*(1.05+r.Float64()*0.2)/830*float64(time.Hour))
	}
	tr.leave = d.Add(7*time.Hour + time.Duration(r.Int64N(int64(4*time.Hour))))
	tr.arrive = tr.leave.Add(ride)
	stay := 2 + r.IntN(6)
	if a.pop != popTraveller {
		stay = 5 + r.IntN(10)
	}
	tr.ret = d.Add(time.Duration(stay)*24*time.Hour + 15*time.Hour + time.Duration(r.Int64N(int64(4*time.Hour))))
	tr.home = tr.ret.Add(ride)
	c := s.w.countries[tr.dest]
	tr.hotel = c.hotel.pick(r, -1, false)
	tr.venue = c.fixed[r.IntN(len(c.fixed))].pick(r, 0, false)
	tr.hotelWifi = r.Float64() < 0.5
	a.trip = tr
	a.visited = append(a.visited, tr.dest)
}

// trainsFrom are the neighbours a train reaches within a few hours
// (London from Paris included: the engine does not count it a
// neighbour, its centre being 830 km from France's).
var trainsFrom = map[string][]string{
	"FR": {"BE", "CH", "DE", "LU", "NL", "GB", "IT", "ES"},
	"BE": {"FR", "NL", "DE", "LU", "GB"},
	"DE": {"FR", "NL", "BE", "CH", "AT", "PL"},
	"CH": {"FR", "DE", "IT", "AT"},
	"GB": {"FR", "BE"},
	"ES": {"FR"},
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
