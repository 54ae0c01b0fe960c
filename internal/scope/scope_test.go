package scope

import (
	"net/netip"
	"testing"

	"github.com/mailcop/mailcop/internal/record"
)

func TestWithin(t *testing.T) {
	for _, tc := range []struct{ prefix, want string }{
		{"192.0.2.0/24", record.ScopeDocumentation},
		{"192.0.2.128/25", record.ScopeDocumentation},
		{"192.0.2.7/32", record.ScopeDocumentation},
		{"192.0.0.0/16", ""}, // holds 192.0.2.0/24, is not in it
		{"0.0.0.0/0", ""},
		{"10.20.0.0/16", record.ScopePrivate},
		{"10.0.0.0/8", record.ScopePrivate},
		{"8.0.0.0/7", ""},
		{"198.18.0.0/15", record.ScopeBenchmarking},
		{"198.18.0.0/14", ""},
		{"2001:db8::/32", record.ScopeDocumentation},
		{"2001:db8:1::/64", record.ScopeDocumentation},
		{"2001::/16", ""},
		{"::/0", ""},
		{"fe80::/64", record.ScopeLinkLocal},
		{"::1/128", record.ScopeLoopback},
		{"::/64", record.ScopeReserved}, // outside 2000::/3, where nothing is unicast
		{"2a01:4f8::/32", ""},
	} {
		if got := Within(netip.MustParsePrefix(tc.prefix)); got != tc.want {
			t.Errorf("Within(%s) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

// An address's scope is the scope of its own /32 or /128.
func TestOfAgreesWithWithin(t *testing.T) {
	for _, s := range []string{"192.0.2.1", "10.1.2.3", "8.8.8.8", "255.255.255.255", "2001:db8::1", "fe80::1", "::1", "2a01:4f8::1", "4000::1"} {
		a := netip.MustParseAddr(s)
		if of, in := Of(a), Within(netip.PrefixFrom(a, a.BitLen())); of != in {
			t.Errorf("%s: Of %q, Within its host prefix %q", s, of, in)
		}
	}
}
