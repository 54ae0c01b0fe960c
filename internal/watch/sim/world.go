// Package sim generates weeks of a mail server's logins as they look
// in real life — office workers, phones on mobile carriers, travellers,
// VPN users, stale clients and typos — under a background of attacks,
// with a known set of break-ins mixed in, and measures what the watch
// engine (package watch, the rules behind mailcop-report -alert) raises
// an alarm for: false alarms on the owners' logins per 1,000 accounts
// per week, and which break-ins it catches.
//
// It emits the engine's events with country and AS filled in, as
// mailcop-geo would have left them, rather than log lines for the
// pipeline to parse and geolocate: the embedded geo table knows no AS,
// and what is measured here is the rules (CGNAT pools, AS hopping, VPN
// exits are all about ASes and networks), not the parser, which has its
// own corpus. The events go through watch.Engine.Judge, the very call
// -alert makes on each record.
package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// isp is a network operator: an AS (or a few: mobile carriers route
// their subscribers through several), each with a range of /24s, and for
// carriers an IPv6 prefix handing a new /64 to each connection. The
// ranges have real sizes, so that an attacker lands on an owner's
// address or /24 as rarely, or as often, as on the Internet.
type isp struct {
	name    string
	country string
	asns    []int
	base    []uint32 // per AS, its first /24 (the address's top 24 bits)
	n24     int      // /24s per AS
	v6      []string // per AS, a /32 ("2a0x:yyyy"); "" without IPv6
	renew   float64  // a fixed line's chance a day of a new address (a reconnect: some ISPs do it nightly)
}

// Sizes of the ranges, in /24s per AS.
const (
	fixed24   = 16384 // a national ISP's home lines: 4M addresses
	carrier24 = 1024  // a carrier's CGNAT pool per AS: 256k addresses, each shared by many phones at once
	hotel24   = 256   // hotel, café and conference networks' providers
	vpn24     = 16    // a VPN provider's exits in one country: few, each shared by many users
	hosting24 = 4096  // a hosting provider's data centres
)

type country struct {
	code   string
	fixed  []*isp // home lines
	mobile []*isp // carriers
	hotel  *isp   // hotels', cafés' and conference wifi
}

// world holds the networks, allocated deterministically from the seed.
type world struct {
	countries map[string]*country
	codes     []string // sorted, for deterministic choices
	vpn       [][]*isp // commercial VPN providers: per provider, its exits, one isp per country, all in its one AS
	hosting   []*isp   // the data centres attackers rent
	next24    uint32
	nextAS    int
	next6     int
}

// homeCountries are where the server's users live: a French
// organisation's server, most users at home, some in the neighbouring
// countries it works with, a few farther.
var homeCountries = []struct {
	code  string
	share float64
}{{"FR", 0.82}, {"BE", 0.05}, {"DE", 0.04}, {"CH", 0.03}, {"GB", 0.02}, {"ES", 0.02}, {"US", 0.01}, {"CA", 0.01}}

// farDestinations are where a plane takes a traveller; neighbours are
// reached by train (see trip).
var farDestinations = []string{"US", "GB", "ES", "IT", "PT", "MA", "TN", "SN", "AE", "JP", "CN", "SG", "BR", "CA", "IN", "GR", "SE", "PL", "TR", "IL", "ZA", "MX", "AU", "VN", "TH", "KR"}

// vpnExits are the countries commercial VPNs have exits in. A provider
// rents its servers from one hosting AS in all of them (as many do), so
// its exits share an AS across countries.
var vpnExits = []string{"FR", "NL", "CH", "DE", "BE", "GB", "SE", "ES", "IT", "US", "CA", "JP"}

// vpnProviders is how many providers the VPN users share.
const vpnProviders = 3

// attackCountries are where attack traffic comes from, most first.
var attackCountries = []string{"CN", "VN", "RU", "US", "BR", "IN", "NL", "DE", "ID", "KR", "UA", "TR", "IR", "PK", "TH"}

func newWorld(r *rand.Rand) *world {
	w := &world{countries: map[string]*country{}, next24: 20 << 16, nextAS: 64600, next6: 0x100}
	all := map[string]bool{}
	for _, h := range homeCountries {
		all[h.code] = true
	}
	for _, l := range [][]string{farDestinations, vpnExits, attackCountries, {"BE", "DE", "CH", "LU", "IT", "ES", "NL", "AT"}} {
		for _, c := range l {
			all[c] = true
		}
	}
	for c := range all {
		w.codes = append(w.codes, c)
	}
	slices.Sort(w.codes)
	for _, code := range w.codes {
		c := &country{code: code}
		// Three home-line ISPs; in Germany and one country in three,
		// the third renews its subscribers' addresses every night (as
		// large German ISPs long did).
		for i := range 3 {
			p := w.newISP(fmt.Sprintf("%s-fixed%d", code, i), code, 1, fixed24, false)
			p.renew = 0.01
			if i == 2 && (code == "DE" || r.IntN(3) == 0) {
				p.renew = 1
			}
			c.fixed = append(c.fixed, p)
		}
		// Two carriers, each routing through two or three ASes, with
		// CGNAT pools of /24s and IPv6 for one in two.
		for i := range 2 {
			c.mobile = append(c.mobile, w.newISP(fmt.Sprintf("%s-mobile%d", code, i), code, 2+i, carrier24, i == 0))
		}
		c.hotel = w.newISP(code+"-hotel", code, 4, hotel24, false)
		w.countries[code] = c
	}
	for i := range vpnProviders {
		as := w.nextAS
		var exits []*isp
		for _, code := range vpnExits {
			p := w.newISP(fmt.Sprintf("vpn%d-%s", i, code), code, 1, vpn24, false)
			p.asns[0] = as
			exits = append(exits, p)
		}
		w.nextAS = as + 1
		w.vpn = append(w.vpn, exits)
	}
	for _, code := range attackCountries {
		w.hosting = append(w.hosting, w.newISP(code+"-hosting", code, 2, hosting24, false))
	}
	return w
}

func (w *world) newISP(name, code string, asns, n24 int, v6 bool) *isp {
	p := &isp{name: name, country: code, n24: n24}
	for range asns {
		p.asns = append(p.asns, w.nextAS)
		w.nextAS++
		p.base = append(p.base, w.next24)
		w.next24 += uint32(n24)
		six := ""
		if v6 {
			six = fmt.Sprintf("2a0%x:%x", w.next6>>12&7, w.next6&0xfff|0x1000)
			w.next6++
		}
		p.v6 = append(p.v6, six)
	}
	return p
}

// addr is a place a device connects from: an address with its country
// and AS.
type addr struct {
	ip      string
	country string
	asn     int
}

// pick returns a random address of the ISP: from AS i (-1: any), IPv6
// when v6 and the AS has it.
func (p *isp) pick(r *rand.Rand, i int, v6 bool) addr {
	if i < 0 {
		i = r.IntN(len(p.asns))
	}
	if v6 && p.v6[i] != "" {
		return addr{fmt.Sprintf("%s:%x:%x:%x:%x:%x:%x", p.v6[i], r.IntN(0x10000), r.IntN(0x10000), r.IntN(0x10000), r.IntN(0x10000), r.IntN(0x10000), 1+r.IntN(0xffff)), p.country, p.asns[i]}
	}
	return p.in24(r, i, p.net(r, i))
}

// net is a random /24 of AS i.
func (p *isp) net(r *rand.Rand, i int) uint32 { return p.base[i] + uint32(r.IntN(p.n24)) }

func (p *isp) in24(r *rand.Rand, i int, n uint32) addr {
	return addr{fmt.Sprintf("%d.%d.%d.%d", n>>16, n>>8&255, n&255, 1+r.IntN(254)), p.country, p.asns[i]}
}

// vpnIn is VPN provider i's exit in country code.
func (w *world) vpnIn(i int, code string) *isp {
	for _, p := range w.vpn[i] {
		if p.country == code {
			return p
		}
	}
	return w.vpn[i][0]
}
