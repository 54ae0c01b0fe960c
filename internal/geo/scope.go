package geo

import (
	"net/netip"

	"github.com/mailcop/mailcop/internal/scope"
)

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// normalize returns the address to look up for a: IPv4-mapped IPv6
// addresses (::ffff:192.0.2.1, as dual-stack sockets report IPv4 clients)
// and the well-known NAT64 prefix (64:ff9b::192.0.2.1, as IPv6-only
// servers behind SIIT see IPv4 clients) stand for their IPv4 address, and
// a zone says nothing about where an address is.
func normalize(a netip.Addr) netip.Addr {
	a = a.WithZone("")
	if a.Is4In6() {
		return a.Unmap()
	}
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	return a
}

// scopeOf returns the scope label of a reserved address, or "" for an
// address that may be anyone's on the Internet. a must be normalized (the
// NAT64 prefix that is allocated was taken away by normalize).
func scopeOf(a netip.Addr) string { return scope.Of(a) }
