package parse

import (
	"bytes"
	"net/netip"
)

// canonicalIP returns the canonical text of an address (IPv4-mapped IPv6
// unmapped, zone dropped), or "" when s is not an address.
func canonicalIP(s []byte) string {
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	if len(s) > 5 && (bytes.HasPrefix(s, []byte("IPv6:")) || bytes.HasPrefix(s, []byte("ipv6:"))) {
		s = s[5:]
	}
	if canonicalIPv4(s) {
		return string(s)
	}
	addr, err := netip.ParseAddr(string(s))
	if err != nil {
		return ""
	}
	return addr.Unmap().WithZone("").String()
}

// canonicalIPv4 tells whether s is an IPv4 address already in canonical
// form, the common case, which needs no parsing into netip.Addr.
func canonicalIPv4(s []byte) bool {
	if len(s) < 7 || len(s) > 15 {
		return false
	}
	parts, digits, val := 0, 0, 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && val == 0 {
				return false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return false
			}
		case c == '.' && digits > 0 && i < len(s)-1:
			parts++
			digits, val = 0, 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

// addr is canonicalIP(b), interned.
func (ev *event) addr(b []byte) string {
	if canonicalIPv4(b) {
		// Checking a dotted quad and copying it costs less than a lookup.
		return string(b)
	}
	if ev.strs == nil {
		return canonicalIP(b)
	}
	return intern(ev.strs.ips, b, canonicalIP)
}
