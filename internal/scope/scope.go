// Package scope knows the special-purpose address blocks of IANA's
// registries and the scope label of each: mailcop-geo labels a reserved
// address with it instead of looking it up, and mailcop-count labels a
// network only when the whole network lies inside one such block.
package scope

import (
	"net/netip"

	"github.com/mailcop/mailcop/internal/record"
)

// The scope labels of reserved addresses (the record's vocabulary). They
// are never looked up: no database can say where 192.168.1.10 is, and
// "unknown" would hide that the address is the admin's own network (or a
// relay's, or a test's).
const (
	Unspecified   = record.ScopeUnspecified
	Loopback      = record.ScopeLoopback
	Private       = record.ScopePrivate
	Shared        = record.ScopeShared
	LinkLocal     = record.ScopeLinkLocal
	Documentation = record.ScopeDocumentation
	Benchmarking  = record.ScopeBenchmarking
	Multicast     = record.ScopeMulticast
	Reserved      = record.ScopeReserved
)

var reservedV4 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), Unspecified},
	{netip.MustParsePrefix("10.0.0.0/8"), Private},
	{netip.MustParsePrefix("100.64.0.0/10"), Shared},
	{netip.MustParsePrefix("127.0.0.0/8"), Loopback},
	{netip.MustParsePrefix("169.254.0.0/16"), LinkLocal},
	{netip.MustParsePrefix("172.16.0.0/12"), Private},
	{netip.MustParsePrefix("192.0.0.0/24"), Reserved}, // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), Documentation},
	{netip.MustParsePrefix("192.88.99.0/24"), Reserved}, // deprecated 6to4 relays
	{netip.MustParsePrefix("192.168.0.0/16"), Private},
	{netip.MustParsePrefix("198.18.0.0/15"), Benchmarking},
	{netip.MustParsePrefix("198.51.100.0/24"), Documentation},
	{netip.MustParsePrefix("203.0.113.0/24"), Documentation},
	{netip.MustParsePrefix("224.0.0.0/4"), Multicast},
	{netip.MustParsePrefix("240.0.0.0/4"), Reserved}, // and 255.255.255.255
}

var reservedV6 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("::/128"), Unspecified},
	{netip.MustParsePrefix("::1/128"), Loopback},
	{netip.MustParsePrefix("64:ff9b:1::/48"), Private}, // local-use NAT64
	{netip.MustParsePrefix("2001:2::/48"), Benchmarking},
	{netip.MustParsePrefix("2001:db8::/32"), Documentation},
	{netip.MustParsePrefix("3fff::/20"), Documentation},
	{netip.MustParsePrefix("fc00::/7"), Private},
	{netip.MustParsePrefix("fe80::/10"), LinkLocal},
	{netip.MustParsePrefix("fec0::/10"), Private}, // deprecated site-local
	{netip.MustParsePrefix("ff00::/8"), Multicast},
}

var globalUnicast = netip.MustParsePrefix("2000::/3")

// Of returns the scope label of a reserved address, or "" for an address
// that may be anyone's on the Internet. IPv4-mapped addresses must be
// unmapped first.
func Of(a netip.Addr) string {
	if a.Is4() {
		for _, r := range reservedV4 {
			if r.prefix.Contains(a) {
				return r.scope
			}
		}
		return ""
	}
	for _, r := range reservedV6 {
		if r.prefix.Contains(a) {
			return r.scope
		}
	}
	// Outside 2000::/3 nothing is allocated for unicast.
	if !globalUnicast.Contains(a) {
		return Reserved
	}
	return ""
}

// Within returns the scope label of the reserved block that holds all of
// p, or "" when p reaches outside every block: 0.0.0.0/0 holds the
// documentation networks, but is not one.
func Within(p netip.Prefix) string {
	p = p.Masked()
	if !p.IsValid() {
		return ""
	}
	blocks := reservedV6
	if p.Addr().Is4() {
		blocks = reservedV4
	}
	for _, r := range blocks {
		if r.prefix.Bits() <= p.Bits() && r.prefix.Contains(p.Addr()) {
			return r.scope
		}
	}
	if p.Addr().Is6() && !globalUnicast.Overlaps(p) {
		return Reserved
	}
	return ""
}
