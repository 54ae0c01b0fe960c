package geo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/phuslu/iploc"
)

// searchDirs are where distributions and geoipupdate put databases,
// the directory that geoipupdate (and -fetch) keep fresh first.
var searchDirs = []string{"/var/lib/GeoIP", "/usr/share/GeoIP", "/usr/local/share/GeoIP"}

// countryFiles and asnFiles are the databases searched for, best first
// in each directory: commercial before free, city before country (a city
// database answers the country too).
var (
	countryFiles = []string{
		"GeoIP2-City.mmdb", "GeoIP2-Country.mmdb",
		"GeoLite2-City.mmdb", "GeoLite2-Country.mmdb",
		"dbip-city-lite.mmdb", "dbip-country-lite.mmdb",
	}
	asnFiles = []string{"GeoIP2-ISP.mmdb", "GeoLite2-ASN.mmdb", "dbip-asn-lite.mmdb"}
)

// env is what Run takes from the process beyond its arguments, so that
// tests can pin it. It travels with the run, not in package variables,
// as the golden cases run in parallel, each with its own.
type env struct {
	getenv func(string) string
	dirs   []string // searched for databases
	// notifyHUP asks for the SIGHUP that reopens the databases, and
	// returns how to stop asking.
	notifyHUP func() (<-chan os.Signal, func())
}

// sources are the databases in use. No country database means the
// embedded table; no AS database means AS fields come from the country
// database when it has them, else nowhere. A role may have several
// files (ip-location-db ships IPv4 and IPv6 apart): the first that knows
// an address answers.
type sources struct {
	country []*mmdb
	asn     []*mmdb
}

func (s *sources) close() {
	for _, db := range s.country {
		db.close()
	}
	for _, db := range s.asn {
		db.close()
	}
}

// haveAS says whether some database answers AS fields.
func (s *sources) haveAS() bool {
	if len(s.asn) > 0 {
		return true
	}
	for _, db := range s.country {
		if db.fields&hasASN != 0 {
			return true
		}
	}
	return false
}

// drop takes a database out of service, and closes it.
func (s *sources) drop(db *mmdb) {
	s.country = slices.DeleteFunc(s.country, func(d *mmdb) bool { return d == db })
	s.asn = slices.DeleteFunc(s.asn, func(d *mmdb) bool { return d == db })
	db.close()
}

// describe says, one line each, what answers; -v prints it.
func (s *sources) describe() []string {
	var lines []string
	for _, db := range s.country {
		lines = append(lines, "country from "+db.describe())
	}
	if len(s.country) == 0 {
		lines = append(lines, fmt.Sprintf("country from the embedded IP2Location LITE table (github.com/phuslu/iploc %s); install a database for AS and city, see -h", iploc.Version))
	}
	for _, db := range s.asn {
		lines = append(lines, "AS from "+db.describe())
	}
	switch {
	case len(s.asn) > 0:
	case s.haveAS():
		lines = append(lines, "AS from the country database")
	default:
		lines = append(lines, "no AS database: asn and as_org are left out")
	}
	return lines
}

// role is what a database is for.
type role struct {
	name  string // for messages: "country", "AS"
	flag  string // -db, -asn-db
	env   string // MAILCOP_GEOIP_DB, MAILCOP_ASN_DB
	files []string
}

var (
	countryRole = role{"country", "-db", "MAILCOP_GEOIP_DB", countryFiles}
	asnRole     = role{"AS", "-asn-db", "MAILCOP_ASN_DB", asnFiles}
)

// openSources finds and opens the databases: the flag's paths, else the
// environment's, else the first usable file in the search directories.
// A database named by the flag or the environment must open; one merely
// found is skipped, with a warning, when it does not.
func openSources(dbFlag, asnFlag string, lang int, e env, warn func(string)) (*sources, error) {
	country, err := find(countryRole, dbFlag, lang, e, warn)
	if err != nil {
		return nil, err
	}
	asn, err := find(asnRole, asnFlag, lang, e, warn)
	if err != nil {
		(&sources{country: country}).close()
		return nil, err
	}
	return &sources{country: country, asn: asn}, nil
}

// find opens the databases of a role: a path, several separated by
// commas, a directory to search, none, or, when nothing is said, the
// first found in the search directories.
func find(r role, flagValue string, lang int, e env, warn func(string)) ([]*mmdb, error) {
	value, from := flagValue, r.flag
	if value == "" {
		value, from = e.getenv(r.env), "$"+r.env
	}
	if value == "none" {
		return nil, nil
	}
	if value == "" {
		return search(r, e.dirs, lang, warn), nil
	}
	var dbs []*mmdb
	for _, path := range strings.Split(value, ",") {
		db, err := findOne(r, from, path, lang, warn)
		if err != nil {
			(&sources{country: dbs}).close()
			return nil, err
		}
		dbs = append(dbs, db...)
	}
	return dbs, nil
}

func findOne(r role, from, path string, lang int, warn func(string)) ([]*mmdb, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		dbs := search(r, []string{path}, lang, warn)
		if dbs == nil {
			return nil, fmt.Errorf("%s %s: no %s database in the directory (looked for %s)\nhint: give the file itself, or none", from, path, r.name, strings.Join(r.files, ", "))
		}
		return dbs, nil
	}
	db, err := openFor(r, path, lang)
	if err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", from, err, hintFor(r, err))
	}
	return []*mmdb{db}, nil
}

// search returns the first database of the role that opens in dirs.
func search(r role, dirs []string, lang int, warn func(string)) []*mmdb {
	for _, dir := range dirs {
		for _, name := range r.files {
			path := filepath.Join(dir, name)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			db, err := openFor(r, path, lang)
			if err != nil {
				warn(fmt.Sprintf("warning: %v; skipped", err))
				continue
			}
			return []*mmdb{db}
		}
	}
	return nil
}

// openFor opens a database and checks it has what the role needs.
func openFor(r role, path string, lang int) (*mmdb, error) {
	db, err := openMMDB(path, lang)
	if err != nil {
		return nil, err
	}
	switch {
	case r.name == countryRole.name && !db.fields.country():
		db.close()
		return nil, fmt.Errorf("open %s: %w", path, errASNOnly)
	case r.name == asnRole.name && db.fields&hasASN == 0:
		db.close()
		return nil, fmt.Errorf("open %s: %w", path, errNoASN)
	}
	return db, nil
}

var (
	errASNOnly = errors.New("an AS database, without countries")
	errNoASN   = errors.New("no AS data in this database")
)

func hintFor(r role, err error) string {
	switch {
	case errors.Is(err, errASNOnly):
		return "hint: give it with -asn-db, and a country database (or none) with -db"
	case errors.Is(err, errNoASN):
		return "hint: give it with -db; -asn-db takes GeoLite2-ASN, dbip-asn-lite or GeoIP2-ISP"
	case errors.Is(err, fs.ErrNotExist) && r.name == countryRole.name:
		return "hint: get one with geoipupdate or mailcop-geo -fetch /var/lib/GeoIP, or give -db none for the embedded country table"
	case errors.Is(err, fs.ErrNotExist):
		return "hint: get one with geoipupdate or mailcop-geo -fetch /var/lib/GeoIP, or give -asn-db none"
	default:
		return fmt.Sprintf("hint: download it again (geoipupdate, or mailcop-geo -fetch /var/lib/GeoIP), or give %s none", r.flag)
	}
}
