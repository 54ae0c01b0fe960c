package geo

import "net/netip"

// The scope labels of reserved addresses. They are never looked up: no
// database can say where 192.168.1.10 is, and "unknown" would hide that
// the address is the admin's own network (or a relay's, or a test's).
const (
	scopeUnspecified   = "unspecified"   // 0.0.0.0/8, ::
	scopeLoopback      = "loopback"      // 127.0.0.0/8, ::1
	scopePrivate       = "private"       // RFC 1918, fc00::/7 (ULA), fec0::/10
	scopeShared        = "shared"        // 100.64.0.0/10, carrier-grade NAT
	scopeLinkLocal     = "link-local"    // 169.254.0.0/16, fe80::/10
	scopeDocumentation = "documentation" // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	scopeBenchmarking  = "benchmarking"  // 198.18.0.0/15, 2001:2::/48
	scopeMulticast     = "multicast"     // 224.0.0.0/4, ff00::/8
	scopeReserved      = "reserved"      // the rest of IANA's special-purpose registries
)

var reservedV4 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), scopeUnspecified},
	{netip.MustParsePrefix("10.0.0.0/8"), scopePrivate},
	{netip.MustParsePrefix("100.64.0.0/10"), scopeShared},
	{netip.MustParsePrefix("127.0.0.0/8"), scopeLoopback},
	{netip.MustParsePrefix("169.254.0.0/16"), scopeLinkLocal},
	{netip.MustParsePrefix("172.16.0.0/12"), scopePrivate},
	{netip.MustParsePrefix("192.0.0.0/24"), scopeReserved}, // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), scopeDocumentation},
	{netip.MustParsePrefix("192.88.99.0/24"), scopeReserved}, // deprecated 6to4 relays
	{netip.MustParsePrefix("192.168.0.0/16"), scopePrivate},
	{netip.MustParsePrefix("198.18.0.0/15"), scopeBenchmarking},
	{netip.MustParsePrefix("198.51.100.0/24"), scopeDocumentation},
	{netip.MustParsePrefix("203.0.113.0/24"), scopeDocumentation},
	{netip.MustParsePrefix("224.0.0.0/4"), scopeMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), scopeReserved}, // and 255.255.255.255
}

var reservedV6 = []struct {
	prefix netip.Prefix
	scope  string
}{
	{netip.MustParsePrefix("::/128"), scopeUnspecified},
	{netip.MustParsePrefix("::1/128"), scopeLoopback},
	{netip.MustParsePrefix("64:ff9b:1::/48"), scopePrivate}, // local-use NAT64
	{netip.MustParsePrefix("2001:2::/48"), scopeBenchmarking},
	{netip.MustParsePrefix("2001:db8::/32"), scopeDocumentation},
	{netip.MustParsePrefix("3fff::/20"), scopeDocumentation},
	{netip.MustParsePrefix("fc00::/7"), scopePrivate},
	{netip.MustParsePrefix("fe80::/10"), scopeLinkLocal},
	{netip.MustParsePrefix("fec0::/10"), scopePrivate}, // deprecated site-local
	{netip.MustParsePrefix("ff00::/8"), scopeMulticast},
}

var (
	globalUnicast = netip.MustParsePrefix("2000::/3")
	nat64         = netip.MustParsePrefix("64:ff9b::/96")
)

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
// address that may be anyone's on the Internet. a must be normalized.
func scopeOf(a netip.Addr) string {
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
	// Outside 2000::/3 nothing is allocated for unicast (the NAT64
	// prefix that is was taken away by normalize).
	if !globalUnicast.Contains(a) {
		return scopeReserved
	}
	return ""
}
