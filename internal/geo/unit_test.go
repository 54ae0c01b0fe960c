package geo

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phuslu/iploc"

	"github.com/mailcop/mailcop/internal/record"
)

func TestScope(t *testing.T) {
	tests := []struct{ ip, scope string }{
		{"0.0.0.0", record.ScopeUnspecified},
		{"0.255.1.2", record.ScopeUnspecified},
		{"::", record.ScopeUnspecified},
		{"10.1.2.3", record.ScopePrivate},
		{"172.16.0.1", record.ScopePrivate},
		{"172.31.255.254", record.ScopePrivate},
		{"172.32.0.1", ""},
		{"192.168.200.1", record.ScopePrivate},
		{"fd00::1", record.ScopePrivate},
		{"fc00::1", record.ScopePrivate},
		{"fec0::1", record.ScopePrivate},
		{"64:ff9b:1::1", record.ScopePrivate},
		{"127.0.0.1", record.ScopeLoopback},
		{"127.255.255.254", record.ScopeLoopback},
		{"::1", record.ScopeLoopback},
		{"100.64.0.1", record.ScopeShared},
		{"100.127.255.254", record.ScopeShared},
		{"100.128.0.1", ""},
		{"169.254.169.254", record.ScopeLinkLocal},
		{"fe80::1", record.ScopeLinkLocal},
		{"febf::1", record.ScopeLinkLocal},
		{"192.0.2.1", record.ScopeDocumentation},
		{"198.51.100.1", record.ScopeDocumentation},
		{"203.0.113.1", record.ScopeDocumentation},
		{"2001:db8::1", record.ScopeDocumentation},
		{"3fff:fff::1", record.ScopeDocumentation},
		{"198.18.0.1", record.ScopeBenchmarking},
		{"198.19.255.254", record.ScopeBenchmarking},
		{"198.20.0.1", ""},
		{"2001:2::1", record.ScopeBenchmarking},
		{"224.0.0.1", record.ScopeMulticast},
		{"239.255.255.250", record.ScopeMulticast},
		{"ff05::2", record.ScopeMulticast},
		{"192.0.0.8", record.ScopeReserved},
		{"192.88.99.1", record.ScopeReserved},
		{"240.0.0.1", record.ScopeReserved},
		{"255.255.255.255", record.ScopeReserved},
		{"::2", record.ScopeReserved},
		{"100::1", record.ScopeReserved},
		{"4000::1", record.ScopeReserved},
		// Public.
		{"1.1.1.1", ""},
		{"8.8.8.8", ""},
		{"45.155.205.233", ""},
		{"223.255.255.255", ""},
		{"2001:4860:4860::8888", ""},
		{"2a03:b0c0:3:d0::5f21:1", ""},
		{"2001::1", ""}, // Teredo is routed
		{"2002:c000:201::1", ""},
		{"3ffe::1", ""},
	}
	for _, tt := range tests {
		if got := scopeOf(normalize(netip.MustParseAddr(tt.ip))); got != tt.scope {
			t.Errorf("scopeOf(%s) = %q, want %q", tt.ip, got, tt.scope)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"},
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"::ffff:192.168.1.1", "192.168.1.1"},
		{"64:ff9b::102:304", "1.2.3.4"},
		{"64:ff9b::1.2.3.4", "1.2.3.4"},
		{"fe80::1%eth0", "fe80::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"64:ff9b:1::1", "64:ff9b:1::1"}, // local-use NAT64 is not the well-known prefix
	}
	for _, tt := range tests {
		if got := normalize(netip.MustParseAddr(tt.in)); got != netip.MustParseAddr(tt.want) {
			t.Errorf("normalize(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCountryNames(t *testing.T) {
	tests := []struct{ code, en, fr string }{
		{"US", "United States", "États-Unis"},
		{"GB", "United Kingdom", "Royaume-Uni"},
		{"CN", "China", "Chine"},
		{"RU", "Russia", "Russie"},
		{"DE", "Germany", "Allemagne"},
		{"NL", "Netherlands", "Pays-Bas"},
		{"CI", "Côte d’Ivoire", "Côte d’Ivoire"},
		{"MK", "North Macedonia", "Macédoine du Nord"},
		{"TR", "Türkiye", "Turquie"},
		{"XK", "Kosovo", "Kosovo"},
		{"EU", "European Union", "Union européenne"},
		// Not codes of a country: no name.
		{"ZZ", "", ""},
		{"UK", "", ""},
		{"QO", "", ""},
		{"us", "", ""},
		{"USA", "", ""},
		{"", "", ""},
		{"A\xff", "", ""},
	}
	for _, tt := range tests {
		if got := countryNameOf(tt.code, langEN); got != tt.en {
			t.Errorf("countryNameOf(%q, en) = %q, want %q", tt.code, got, tt.en)
		}
		if got := countryNameOf(tt.code, langFR); got != tt.fr {
			t.Errorf("countryNameOf(%q, fr) = %q, want %q", tt.code, got, tt.fr)
		}
	}
	for i := 1; i < len(countryTable); i++ {
		if countryTable[i-1].code >= countryTable[i].code {
			t.Fatalf("countryTable out of order at %s", countryTable[i].code)
		}
	}
	if len(countryTable) < 249 { // ISO 3166-1 has 249 codes
		t.Errorf("countryTable has %d codes, want all of ISO 3166-1", len(countryTable))
	}
}

// Every code the embedded table answers has a name.
func TestEmbeddedCodesHaveNames(t *testing.T) {
	seen := map[string]bool{}
	for a := 1; a < 224; a++ {
		for b := 0; b < 256; b += 3 {
			code := normCode(iploc.IPCountry(netip.AddrFrom4([4]byte{byte(a), byte(b), 7, 1})))
			if code != "" && !seen[code] {
				seen[code] = true
				if countryNameOf(code, langEN) == "" || countryNameOf(code, langFR) == "" {
					t.Errorf("the embedded table answers %s, which has no name", code)
				}
			}
		}
	}
	if len(seen) < 100 {
		t.Errorf("only %d countries seen in the embedded table", len(seen))
	}
}

func TestNormCode(t *testing.T) {
	for in, want := range map[string]string{
		"US": "US", "us": "US", "gB": "GB", "ZZ": "", "zz": "", "--": "", "": "", "U": "", "USA": "", "1A": "",
	} {
		if got := normCode(in); got != want {
			t.Errorf("normCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// The cache keeps at most twice its size, and keeps what is used.
func TestCache(t *testing.T) {
	c := newCache[int, int](4)
	for i := range 100 {
		c.put(i, i*10)
		if _, ok := c.get(0); !ok && i > 0 {
			t.Fatalf("entry 0, used after every put, was dropped at %d", i)
		}
		if c.len() > 8 {
			t.Fatalf("cache holds %d entries, want at most 8", c.len())
		}
	}
	if v, ok := c.get(99); !ok || v != 990 {
		t.Errorf("get(99) = %d, %v", v, ok)
	}
	if _, ok := c.get(50); ok {
		t.Errorf("entry 50 should be gone")
	}
	c.reset()
	if c.len() != 0 {
		t.Errorf("reset left %d entries", c.len())
	}
}

// Each schema is recognised from its records, whatever its name.
func TestSchemas(t *testing.T) {
	db := testDBs(t)
	tests := []struct {
		file   string
		fields fields
		schema string
	}{
		{"GeoLite2-City.mmdb", hasCountry | hasRegistered | hasCity, "GeoIP2 schema"},
		{"GeoLite2-Country-v4.mmdb", hasCountry | hasRegistered | hasCity, "GeoIP2 schema"},
		{"GeoLite2-ASN.mmdb", hasASN, "ASN schema"},
		{"country_code.mmdb", hasCountryCode, "country_code schema"},
		{"ip-location-city.mmdb", hasCountryCode | hasCity, "country_code schema"},
		{"dbip-country-lite.mmdb", hasCountry, "GeoIP2 schema"},
	}
	for _, tt := range tests {
		m, err := openMMDB(filepath.Join(db, tt.file), langEN)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if m.fields != tt.fields {
			t.Errorf("%s: fields %b, want %b", tt.file, m.fields, tt.fields)
		}
		if d := m.describe(); !strings.Contains(d, tt.schema) {
			t.Errorf("%s: describe() = %q, want %q in it", tt.file, d, tt.schema)
		}
		m.close()
	}
}

func TestLookup(t *testing.T) {
	db := testDBs(t)
	m, err := openMMDB(filepath.Join(db, "GeoLite2-City.mmdb"), langFR)
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	tests := []struct {
		ip    string
		rec   dbRecord
		found bool
	}{
		{"81.2.69.142", dbRecord{country: "GB", city: "Londres"}, true},
		{"81.2.69.1", dbRecord{country: "GB", city: "Londres"}, true}, // the same record, from the offset cache
		{"2a03:b0c0:3:1::1", dbRecord{country: "DE", city: "Frankfurt am Main"}, true},
		{"1.0.0.200", dbRecord{country: "AU"}, true},
		{"9.9.9.9", dbRecord{}, false},
		{"2a03:b0c0:4::1", dbRecord{}, false},
	}
	for _, tt := range tests {
		rec, found, err := m.lookup(netip.MustParseAddr(tt.ip))
		if err != nil || found != tt.found || rec != tt.rec {
			t.Errorf("lookup(%s) = %+v, %v, %v; want %+v, %v", tt.ip, rec, found, err, tt.rec, tt.found)
		}
	}
	if m.byOffset.len() != 3 {
		t.Errorf("offset cache holds %d records, want 3", m.byOffset.len())
	}
}

// A database whose data is broken past the records that opening it
// samples: each lookup that reads the broken record fails, is reported
// with the record's position (the first ones: a broken file must not
// flood the terminal), the record goes on with what the other database
// said, and the exit status is 1.
func TestFailedLookups(t *testing.T) {
	var nets []network
	for i := range 300 {
		org := fmt.Sprintf("AS number %d", i+1)
		if i == 299 {
			org = "CORRUPT-ME-XYZ"
		}
		nets = append(nets, network{fmt.Sprintf("%d.%d.0.0/16", 11+i/256, i%256), asn(uint32(i+1), org)})
	}
	data := buildDB(t, "GeoLite2-ASN", 6, nets)
	i := bytes.Index(data, []byte("CORRUPT-ME-XYZ"))
	if i < 1 || data[i-1] != 0x40|14 {
		t.Fatalf("cannot find the string to break")
	}
	// A string whose size (in the three bytes that follow) runs past the
	// end of the file.
	data[i-1] = 0x40 | 31
	path := filepath.Join(t.TempDir(), "broken-asn.mmdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	var in strings.Builder
	in.WriteString(`{"ip":"11.0.0.1"}` + "\n")
	for i := range maxReported + 5 {
		fmt.Fprintf(&in, `{"ip":"12.43.0.%d"}`+"\n", i+1)
	}
	stdout, stderr, code := runStage([]string{"-v", "-asn-db", path}, []byte(in.String()), testEnv(nil, nil))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSuffix(string(stdout), "\n"), "\n")
	if len(lines) != maxReported+6 || lines[0] != `{"ip":"11.0.0.1","country":"US","country_name":"United States","asn":1,"as_org":"AS number 1"}` ||
		lines[1] != `{"ip":"12.43.0.1","country":"US","country_name":"United States"}` {
		t.Errorf("stdout:\n%s", stdout)
	}
	errLines := strings.Split(string(stderr), "\n")
	want := "mailcop-geo: <stdin>:2: look up 12.43.0.1 in " + path + ": "
	if !strings.HasPrefix(errLines[2], want) {
		t.Errorf("stderr line 3 = %q, want %q...", errLines[2], want)
	}
	for _, s := range []string{
		"mailcop-geo: <stdin>:21: look up 12.43.0.20 in ",
		"mailcop-geo: further failed lookups are counted, not shown (see -v)\n",
		"; 26 distinct addresses looked up, 0 invalid, 25 failed lookups\n",
	} {
		if !strings.Contains(string(stderr), s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	if strings.Contains(string(stderr), "<stdin>:22:") {
		t.Errorf("more than %d failed lookups shown:\n%s", maxReported, stderr)
	}
}
