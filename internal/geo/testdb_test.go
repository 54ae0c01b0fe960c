package geo

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gold "github.com/mailcop/mailcop/internal/golden"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// The test databases are built here, with MaxMind's writer, in each of the
// schemas mailcop-geo reads. Their networks hold the public addresses of
// testdata/*.in; what they say is made up (a fixed build date keeps -v's
// output the same).

const testEpoch = 1795000000 // 2026-11-18

type network struct {
	cidr string
	data mmdbtype.Map
}

// geoipCountry is a GeoIP2 country or registered_country value.
func geoipCountry(code, en, fr string) mmdbtype.Map {
	return mmdbtype.Map{
		"geoname_id": mmdbtype.Uint32(1),
		"iso_code":   mmdbtype.String(code),
		"names":      mmdbtype.Map{"en": mmdbtype.String(en), "fr": mmdbtype.String(fr), "de": mmdbtype.String("x")},
	}
}

func geoipCity(en, fr string) mmdbtype.Map {
	n := mmdbtype.Map{"en": mmdbtype.String(en)}
	if fr != "" {
		n["fr"] = mmdbtype.String(fr)
	}
	return mmdbtype.Map{"geoname_id": mmdbtype.Uint32(2), "names": n}
}

var continentEU = mmdbtype.Map{"code": mmdbtype.String("EU"), "names": mmdbtype.Map{"en": mmdbtype.String("Europe")}}

// cityNetworks is a GeoLite2-City: with cities, without, and a network
// with only the country it is registered in.
var cityNetworks = []network{
	{"81.2.69.0/24", mmdbtype.Map{
		"continent": continentEU,
		"country":   geoipCountry("GB", "United Kingdom", "Royaume-Uni"),
		"city":      geoipCity("London", "Londres"),
		"location":  mmdbtype.Map{"latitude": mmdbtype.Float64(51.5), "longitude": mmdbtype.Float64(-0.1)},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{
			"iso_code": mmdbtype.String("ENG"), "names": mmdbtype.Map{"en": mmdbtype.String("England")},
		}},
	}},
	{"45.155.205.0/24", mmdbtype.Map{
		"country":            geoipCountry("RU", "Russia", "Russie"),
		"registered_country": geoipCountry("NL", "Netherlands", "Pays-Bas"),
	}},
	{"2a03:b0c0:3::/48", mmdbtype.Map{
		"country": geoipCountry("DE", "Germany", "Allemagne"),
		"city":    geoipCity("Frankfurt am Main", ""), // no French name: English
	}},
	{"1.0.0.0/24", mmdbtype.Map{
		"registered_country": geoipCountry("AU", "Australia", "Australie"),
	}},
	{"141.98.11.0/24", mmdbtype.Map{
		"country": geoipCountry("LT", "Lithuania", "Lituanie"),
		"city":    geoipCity("Vilnius", "Vilnius"),
	}},
}

// asnNetworks is a GeoLite2-ASN.
var asnNetworks = []network{
	{"81.2.69.0/24", asn(20712, "Andrews & Arnold Ltd")},
	{"45.155.205.0/24", asn(49505, "JSC Selectel")},
	{"2a03:b0c0::/32", asn(14061, "DIGITALOCEAN-ASN")},
	{"80.82.78.0/24", asn(202425, "IP Volume inc")},
}

func asn(n uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(n),
		"autonomous_system_organization": mmdbtype.String(org),
	}
}

// countryCodeNetworks is ip-location-db's country_code schema.
var countryCodeNetworks = []network{
	{"80.82.78.0/24", mmdbtype.Map{"country_code": mmdbtype.String("NL")}},
	{"5.188.206.0/24", mmdbtype.Map{"country_code": mmdbtype.String("gb")}},
	{"2a03:b0c0::/32", mmdbtype.Map{"country_code": mmdbtype.String("DE")}},
	{"141.98.11.0/24", mmdbtype.Map{"country_code": mmdbtype.String("ZZ")}}, // unknown
}

// ipLocationCityNetworks is ip-location-db's city schema: strings.
var ipLocationCityNetworks = []network{
	{"80.82.78.0/24", mmdbtype.Map{
		"city": mmdbtype.String("Amsterdam"), "country_code": mmdbtype.String("NL"),
		"latitude": mmdbtype.Float32(52.4), "longitude": mmdbtype.Float32(4.9), "state1": mmdbtype.String("North Holland"),
	}},
}

// dbipCountryNetworks is a DB-IP lite country database.
var dbipCountryNetworks = []network{
	{"80.82.78.0/24", mmdbtype.Map{
		"continent": continentEU,
		"country": mmdbtype.Map{
			"geoname_id": mmdbtype.Uint32(2750405), "is_in_european_union": mmdbtype.Bool(true),
			"iso_code": mmdbtype.String("NL"), "names": mmdbtype.Map{"en": mmdbtype.String("Netherlands")},
		},
	}},
	{"2a03:b0c0::/32", mmdbtype.Map{"country": geoipCountry("DE", "Germany", "Allemagne")}},
}

// writeDB writes a database of the given type and IP version (4 or 6).
func writeDB(t testing.TB, path, typ string, ipVersion int, nets []network) {
	t.Helper()
	if err := os.WriteFile(path, buildDB(t, typ, ipVersion, nets), 0o644); err != nil {
		t.Fatal(err)
	}
}

func buildDB(t testing.TB, typ string, ipVersion int, nets []network) []byte {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: typ,
		Description:  map[string]string{"en": "mailcop-geo test database"},
		Languages:    []string{"en", "fr"},
		IPVersion:    ipVersion,
		RecordSize:   24,
		BuildEpoch:   testEpoch,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if ipVersion == 4 && ipnet.IP.To4() == nil {
			continue
		}
		if err := tree.Insert(ipnet, n.data); err != nil {
			t.Fatalf("insert %s: %v", n.cidr, err)
		}
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTestDBs fills dir with the databases the golden cases name, and
// broken ones.
func writeTestDBs(t testing.TB, dir string) {
	t.Helper()
	writeDB(t, filepath.Join(dir, "GeoLite2-City.mmdb"), "GeoLite2-City", 6, cityNetworks)
	writeDB(t, filepath.Join(dir, "GeoLite2-Country-v4.mmdb"), "GeoLite2-Country", 4, cityNetworks)
	writeDB(t, filepath.Join(dir, "GeoLite2-ASN.mmdb"), "GeoLite2-ASN", 6, asnNetworks)
	writeDB(t, filepath.Join(dir, "country_code.mmdb"), "ip-location-db", 6, countryCodeNetworks)
	writeDB(t, filepath.Join(dir, "ip-location-city.mmdb"), "ip-location-db-city", 6, ipLocationCityNetworks)
	// ip-location-db ships IPv4 and IPv6 in two files.
	var v6 []network
	for _, n := range countryCodeNetworks {
		if strings.Contains(n.cidr, ":") {
			v6 = append(v6, n)
		}
	}
	writeDB(t, filepath.Join(dir, "country_code-ipv4.mmdb"), "ip-location-db", 4, countryCodeNetworks)
	writeDB(t, filepath.Join(dir, "country_code-ipv6.mmdb"), "ip-location-db", 6, v6)
	writeDB(t, filepath.Join(dir, "dbip-country-lite.mmdb"), "DBIP-Country-Lite", 6, dbipCountryNetworks)

	good := buildDB(t, "GeoLite2-City", 6, cityNetworks)
	for name, data := range map[string][]byte{
		"empty.mmdb":     nil,
		"garbage.mmdb":   bytes.Repeat([]byte("not a database\n"), 100),
		"truncated.mmdb": good[:len(good)/2],
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A directory as geoipupdate and -fetch fill it, with a broken City
	// database that the search skips (with a warning) for the next.
	if err := os.Mkdir(filepath.Join(dir, "empty-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	search := filepath.Join(dir, "GeoIP")
	if err := os.Mkdir(search, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(search, "GeoLite2-City.mmdb"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	writeDB(t, filepath.Join(search, "dbip-country-lite.mmdb"), "DBIP-Country-Lite", 6, dbipCountryNetworks)
	writeDB(t, filepath.Join(search, "dbip-asn-lite.mmdb"), "DBIP-ASN-Lite (compat=GeoLite2-ASN)", 6, asnNetworks)
}

// The end-to-end scripts (testdata/script/geo_*.txtar at the root) read
// two of the test databases from files kept in testdata. They must be
// what the builder makes: go test -update rewrites them.
func TestCommittedDBs(t *testing.T) {
	for name, data := range map[string][]byte{
		"GeoLite2-City-test.mmdb": buildDB(t, "GeoLite2-City", 6, cityNetworks),
		"GeoLite2-ASN-test.mmdb":  buildDB(t, "GeoLite2-ASN", 6, asnNetworks),
	} {
		path := filepath.Join("testdata", name)
		if gold.Updating() {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s is not what the test builder makes (%v): go test -update rewrites it", path, err)
		}
	}
}
