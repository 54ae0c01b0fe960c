package geo

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// dbRecord is what mailcop-geo takes from a database's data record.
type dbRecord struct {
	country string // ISO 3166-1 alpha-2, upper case
	city    string // in the -lang language, else English
	asn     int
	asOrg   string
}

// fields says which of a database's fields a record had, to recognise
// what a database is without trusting its name.
type fields uint8

const (
	hasCountry     fields = 1 << iota // country.iso_code (GeoIP2, DB-IP)
	hasRegistered                     // registered_country.iso_code
	hasCountryCode                    // country_code (ip-location-db)
	hasCity                           // city.names or city (ip-location-db)
	hasASN                            // autonomous_system_number/_organization
)

func (f fields) country() bool { return f&(hasCountry|hasRegistered|hasCountryCode) != 0 }

// mmdb is one open MaxMind-format database.
type mmdb struct {
	path   string
	reader *maxminddb.Reader
	typ    string // metadata database_type
	fields fields // what its records hold, from a sample of them
	lang   int

	// byOffset holds decoded data records by their offset in the file:
	// every network of a country (or an AS) points to the same record,
	// so it is decoded once however many addresses are looked up in it.
	byOffset *cache[uintptr, dbRecord]
}

// probeRecords is how many data records openMMDB decodes to recognise a
// database's schema.
const probeRecords = 256

// openMMDB opens and recognises a database, with an error that names the
// path and says what to do.
func openMMDB(path string, lang int) (*mmdb, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError: "open PATH: no such file or directory"
	}
	st, err := f.Stat()
	f.Close()
	switch {
	case err != nil:
		return nil, err
	case st.IsDir():
		return nil, fmt.Errorf("open %s: is a directory", path)
	case st.Size() == 0:
		return nil, fmt.Errorf("open %s: file is empty (an interrupted download?)", path)
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		var inv maxminddb.InvalidDatabaseError
		if errors.As(err, &inv) {
			return nil, fmt.Errorf("open %s: corrupt, or not a MaxMind DB file: %v", path, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &mmdb{
		path:     path,
		reader:   r,
		typ:      r.Metadata.DatabaseType,
		lang:     lang,
		byOffset: newCache[uintptr, dbRecord](1 << 15),
	}
	if err := db.probe(); err != nil {
		r.Close()
		return nil, fmt.Errorf("open %s: corrupt, or not a MaxMind DB file: %v", path, err)
	}
	if !db.fields.country() && db.fields&hasASN == 0 {
		r.Close()
		return nil, fmt.Errorf("open %s: a %q database with neither country nor AS data that mailcop-geo knows", path, db.typ)
	}
	return db, nil
}

// probe decodes the first data records to learn which fields the
// database has. The metadata's database_type is only a name: DB-IP and
// ip-location-db files name themselves as they like.
func (db *mmdb) probe() (err error) {
	defer recoverFault(&err)
	n := 0
	for res := range db.reader.Networks() {
		d := recordDecoder{lang: db.lang}
		if err := res.Decode(&d); err != nil {
			return err
		}
		db.fields |= d.seen
		if n++; n == probeRecords {
			break
		}
	}
	if n == 0 {
		return errors.New("it holds no networks")
	}
	return nil
}

// describe names the database for -v: path, type, build date and what
// it holds.
func (db *mmdb) describe() string {
	var holds []string
	if db.fields.country() {
		holds = append(holds, "country")
	}
	if db.fields&hasCity != 0 {
		holds = append(holds, "city")
	}
	if db.fields&hasASN != 0 {
		holds = append(holds, "AS")
	}
	schema := "GeoIP2"
	if db.fields&hasCountryCode != 0 {
		schema = "country_code"
	}
	if !db.fields.country() {
		schema = "ASN"
	}
	return fmt.Sprintf("%s (%s, %s schema, built %s; %s)", db.path, db.typ, schema,
		db.reader.Metadata.BuildTime().UTC().Format("2006-01-02"), strings.Join(holds, ", "))
}

// lookup finds the data record of a normalized address.
func (db *mmdb) lookup(ip netip.Addr) (rec dbRecord, found bool, err error) {
	defer recoverFault(&err)
	// An IPv4-only database has no answer for IPv6 (and says so with an
	// error, which is no failure of the lookup).
	if ip.Is6() && db.reader.Metadata.IPVersion == 4 {
		return dbRecord{}, false, nil
	}
	res := db.reader.Lookup(ip)
	if err := res.Err(); err != nil {
		return dbRecord{}, false, err
	}
	if !res.Found() {
		return dbRecord{}, false, nil
	}
	off := res.Offset()
	if rec, ok := db.byOffset.get(off); ok {
		return rec, rec != dbRecord{}, nil
	}
	d := recordDecoder{lang: db.lang}
	if err := res.Decode(&d); err != nil {
		return dbRecord{}, false, err
	}
	db.byOffset.put(off, d.rec)
	return d.rec, d.rec != dbRecord{}, nil
}

func (db *mmdb) close() error { return db.reader.Close() }

// errFault is a memory fault while reading a memory-mapped database:
// the file was truncated or rewritten in place under the reader.
var errFault = errors.New("the file changed under mailcop-geo (rewritten in place instead of replaced by rename?)")

// recoverFault turns a panic inside the database reader into an error.
// Run asks (debug.SetPanicOnFault) that a fault on the mapped file (the
// SIGBUS of a file truncated in place) panic instead of killing the
// process; a database corrupt in a way the reader does not check can
// also make it panic. Either is one failed lookup, reported, not a crash.
func recoverFault(err *error) {
	p := recover()
	if p == nil {
		return
	}
	re, ok := p.(runtime.Error)
	if !ok {
		panic(p)
	}
	if _, ok := re.(interface{ Addr() uintptr }); ok {
		*err = errFault
		return
	}
	*err = fmt.Errorf("corrupt database (%v)", re)
}

// recordDecoder reads the fields mailcop-geo uses from a data record,
// whatever the schema, without reflection: GeoIP2 and DB-IP records
// ({"country":{"iso_code":...},"city":{"names":{...}}}), ip-location-db
// records ({"country_code":...,"city":...}) and ASN records.
type recordDecoder struct {
	lang int
	rec  dbRecord
	seen fields
}

func (d *recordDecoder) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	if k, err := c.Kind(); err != nil {
		return mmdbdata.Cursor{}, err
	} else if k != mmdbdata.KindMap {
		// Not a map: a database of some other kind; nothing to take.
		return c.Skip()
	}
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var registered string
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		switch string(key) {
		case "country":
			var code string
			code, next, err = isoCode(v)
			if code != "" {
				d.rec.country = code
				d.seen |= hasCountry
			}
		case "registered_country":
			registered, next, err = isoCode(v)
			if registered != "" {
				d.seen |= hasRegistered
			}
		case "country_code":
			var code string
			code, next, err = optString(v)
			if code = normCode(code); code != "" {
				d.rec.country = code
				d.seen |= hasCountryCode
			}
		case "city":
			next, err = d.city(v)
		case "autonomous_system_number":
			var n uint64
			n, next, err = optUint(v)
			if n > 0 && n <= 1<<32-1 {
				d.rec.asn = int(n)
				d.seen |= hasASN
			}
		case "autonomous_system_organization":
			var org string
			org, next, err = optString(v)
			if org != "" {
				d.rec.asOrg = org
				d.seen |= hasASN
			}
		default:
			next, err = v.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	// GeoLite2 gives some networks (anycast, satellite links) only the
	// country they are registered in.
	if d.rec.country == "" {
		d.rec.country = registered
	}
	return m.End()
}

// city reads city.names[lang] (else English), or a plain string.
func (d *recordDecoder) city(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	k, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch k {
	case mmdbdata.KindString:
		s, next, err := c.ReadString()
		if s != "" {
			d.rec.city = s
			d.seen |= hasCity
		}
		return next, err
	case mmdbdata.KindMap:
	default:
		return c.Skip()
	}
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		if string(key) != "names" {
			if next, err = v.Skip(); err != nil {
				return mmdbdata.Cursor{}, err
			}
			continue
		}
		var en, fr string
		if en, fr, next, err = names(v); err != nil {
			return mmdbdata.Cursor{}, err
		}
		name := en
		if d.lang == langFR && fr != "" {
			name = fr
		}
		if name != "" {
			d.rec.city = name
			d.seen |= hasCity
		}
	}
	return m.End()
}

// isoCode reads the iso_code of a {"iso_code":...,"names":...} map.
func isoCode(c mmdbdata.Cursor) (string, mmdbdata.Cursor, error) {
	if k, err := c.Kind(); err != nil {
		return "", mmdbdata.Cursor{}, err
	} else if k != mmdbdata.KindMap {
		next, err := c.Skip()
		return "", next, err
	}
	m, err := c.Map()
	if err != nil {
		return "", mmdbdata.Cursor{}, err
	}
	code := ""
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		if string(key) == "iso_code" {
			var s string
			s, next, err = optString(v)
			code = normCode(s)
		} else {
			next, err = v.Skip()
		}
		if err != nil {
			return "", mmdbdata.Cursor{}, err
		}
	}
	next, err = m.End()
	return code, next, err
}

// names reads the English and French entries of a names map.
func names(c mmdbdata.Cursor) (en, fr string, next mmdbdata.Cursor, err error) {
	if k, err := c.Kind(); err != nil {
		return "", "", mmdbdata.Cursor{}, err
	} else if k != mmdbdata.KindMap {
		next, err := c.Skip()
		return "", "", next, err
	}
	m, err := c.Map()
	if err != nil {
		return "", "", mmdbdata.Cursor{}, err
	}
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		switch string(key) {
		case "en":
			en, next, err = optString(v)
		case "fr":
			fr, next, err = optString(v)
		default:
			next, err = v.Skip()
		}
		if err != nil {
			return "", "", mmdbdata.Cursor{}, err
		}
	}
	next, err = m.End()
	return en, fr, next, err
}

// maxString bounds the strings taken from a database: names are short,
// and a hostile file must not make a record of megabytes.
const maxString = 256

// optString reads a string, or skips a value of another kind.
func optString(c mmdbdata.Cursor) (string, mmdbdata.Cursor, error) {
	if k, err := c.Kind(); err != nil {
		return "", mmdbdata.Cursor{}, err
	} else if k != mmdbdata.KindString {
		next, err := c.Skip()
		return "", next, err
	}
	s, next, err := c.ReadStringMaxSize(maxString)
	if err != nil {
		// Too long: skip it rather than fail the record.
		next, err = c.Skip()
		return "", next, err
	}
	return s, next, nil
}

// optUint reads an unsigned integer, or skips a value of another kind.
func optUint(c mmdbdata.Cursor) (uint64, mmdbdata.Cursor, error) {
	k, err := c.Kind()
	if err != nil {
		return 0, mmdbdata.Cursor{}, err
	}
	switch k {
	case mmdbdata.KindUint16, mmdbdata.KindUint32, mmdbdata.KindUint64:
		return c.ReadUint()
	}
	next, err := c.Skip()
	return 0, next, err
}

// normCode upper-cases a two-letter code and rejects anything else
// ("ZZ" and "--" are how some databases say they do not know).
func normCode(s string) string {
	if len(s) != 2 {
		return ""
	}
	a, b := upper(s[0]), upper(s[1])
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' || (a == 'Z' && b == 'Z') {
		return ""
	}
	if a == s[0] && b == s[1] {
		return s
	}
	return string([]byte{a, b})
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
