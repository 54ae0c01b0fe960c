// Package scope knows the special-purpose address blocks of IANA's
// registries and the scope label of each: mailcop-geo labels a reserved
// address with it instead of looking it up, and mailcop-count labels a
// network only when the whole network lies inside one such block.
package scope

import (
	"net/netip"

	"github.com/mailcop/mailcop/internal/record"
)

// reservedV4 and reservedV6 are the blocks, each with its label (the
// record's Scope* words). An address in one is never looked up: no
// database can say where 192.168.1.10 is, and "unknown" would hide that
// the address is the admin's own network (or a relay's, or a test's).
var reservedV4 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), record.ScopeUnspecified},
	{netip.MustParsePrefix("10.0.0.0/8"), record.ScopePrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), record.ScopeShared},
	{netip.MustParsePrefix("127.0.0.0/8"), record.ScopeLoopback},
	{netip.MustParsePrefix("169.254.0.0/16"), record.ScopeLinkLocal},
	{netip.MustParsePrefix("172.16.0.0/12"), record.ScopePrivate},
	{netip.MustParsePrefix("192.0.0.0/24"), record.ScopeReserved}, // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), record.ScopeDocumentation},
	{netip.MustParsePrefix("192.88.99.0/24"), record.ScopeReserved}, // deprecated 6to4 relays
	{netip.MustParsePrefix("192.168.0.0/16"), record.ScopePrivate},
	{netip.MustParsePrefix("198.18.0.0/15"), record.ScopeBenchmarking},
	{netip.MustParsePrefix("198.51.100.0/24"), record.ScopeDocumentation},
	{netip.MustParsePrefix("203.0.113.0/24"), record.ScopeDocumentation},
	{netip.MustParsePrefix("224.0.0.0/4"), record.ScopeMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), record.ScopeReserved}, // and 255.255.255.255
}

var reservedV6 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("::/128"), record.ScopeUnspecified},
	{netip.MustParsePrefix("::1/128"), record.ScopeLoopback},
	{netip.MustParsePrefix("64:ff9b:1::/48"), record.ScopePrivate}, // local-use NAT64
	{netip.MustParsePrefix("2001:2::/48"), record.ScopeBenchmarking},
	{netip.MustParsePrefix("2001:db8::/32"), record.ScopeDocumentation},
	{netip.MustParsePrefix("3fff::/20"), record.ScopeDocumentation},
	{netip.MustParsePrefix("fc00::/7"), record.ScopePrivate},
	{netip.MustParsePrefix("fe80::/10"), record.ScopeLinkLocal},
	{netip.MustParsePrefix("fec0::/10"), record.ScopePrivate}, // deprecated site-local
	{netip.MustParsePrefix("ff00::/8"), record.ScopeMulticast},
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
		return record.ScopeReserved
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
		return record.ScopeReserved
	}
	return ""
}
