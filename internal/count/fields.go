package count

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// kind says how a -by field gets its value from a record, and how its
// values sort.
type kind uint8

const (
	kindString kind = iota // a known string field
	kindInt                // a known integer field: pid, attempts, asn
	kindIP                 // ip: a string field that sorts as an address
	kindNet                // derived: the network around ip
	kindDay                // derived: the local date of time
	kindHour               // derived: the local hour of time
	kindExtra              // any other key, through Record.Get
)

// field is one -by field.
type field struct {
	name string
	kind kind
	str  func(*record.Record) string // kindString, kindIP
	num  func(*record.Record) int    // kindInt
}

// stringFields and intFields read the known keys without Record.Get, which
// renders numbers into a new string on every call.
var stringFields = map[string]func(*record.Record) string{
	"time":         func(r *record.Record) string { return r.Time },
	"host":         func(r *record.Record) string { return r.Host },
	"daemon":       func(r *record.Record) string { return r.Daemon },
	"service":      func(r *record.Record) string { return r.Service },
	"event":        func(r *record.Record) string { return r.Event },
	"outcome":      func(r *record.Record) string { return r.Outcome },
	"reason":       func(r *record.Record) string { return r.Reason },
	"user":         func(r *record.Record) string { return r.User },
	"ip":           func(r *record.Record) string { return r.IP },
	"method":       func(r *record.Record) string { return r.Method },
	"session":      func(r *record.Record) string { return r.Session },
	"pw_hash":      func(r *record.Record) string { return r.PwHash },
	"scope":        func(r *record.Record) string { return r.Scope },
	"country":      func(r *record.Record) string { return r.Country },
	"country_name": func(r *record.Record) string { return r.CountryName },
	"as_org":       func(r *record.Record) string { return r.ASOrg },
	"city":         func(r *record.Record) string { return r.City },
	"file":         func(r *record.Record) string { return r.File },
	"line":         func(r *record.Record) string { return r.Line },
}

var intFields = map[string]func(*record.Record) int{
	"pid":      func(r *record.Record) int { return r.PID },
	"attempts": func(r *record.Record) int { return r.Attempts },
	"asn":      func(r *record.Record) int { return r.ASN },
}

// reserved are the names of the columns count adds; a -by field of the
// same name would make a JSON object with a duplicate key.
var reserved = map[string]bool{
	"count": true, "first": true, "last": true, "users": true, "ips": true,
	"countries": true, "exists": true,
}

// parseBy reads the -by list.
func parseBy(s string) ([]field, error) {
	var fields []field
	seen := map[string]bool{}
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("-by %q: empty field name", s)
		case seen[name]:
			return nil, fmt.Errorf("-by %q: %s given twice", s, name)
		case reserved[name]:
			return nil, fmt.Errorf("-by %s: the output has a column of that name", name)
		}
		seen[name] = true
		f := field{name: name, kind: kindExtra}
		// The derived keys win over a record key of the same name: their
		// meaning is documented, a user's key is not.
		switch name {
		case "net":
			f.kind = kindNet
		case "day":
			f.kind = kindDay
		case "hour":
			f.kind = kindHour
		case "ip":
			f.kind, f.str = kindIP, stringFields[name]
		default:
			if fn, ok := stringFields[name]; ok {
				f.kind, f.str = kindString, fn
			} else if fn, ok := intFields[name]; ok {
				f.kind, f.num = kindInt, fn
			}
		}
		fields = append(fields, f)
	}
	return fields, nil
}

// parseMask reads -mask: "V4" or "V4,V6".
func parseMask(s string) (v4, v6 int, err error) {
	a, b, two := strings.Cut(s, ",")
	v4, err = strconv.Atoi(strings.TrimSpace(a))
	if err != nil || v4 < 0 || v4 > 32 {
		return 0, 0, fmt.Errorf("-mask %q: the IPv4 prefix length must be 0 to 32", s)
	}
	v6 = 64
	if two {
		v6, err = strconv.Atoi(strings.TrimSpace(b))
		if err != nil || v6 < 0 || v6 > 128 {
			return 0, 0, fmt.Errorf("-mask %q: the IPv6 prefix length must be 0 to 128", s)
		}
	}
	return v4, v6, nil
}

// appendNet appends the network of the given prefix lengths around ip,
// nothing when ip is not an address.
func appendNet(b []byte, ip string, mask4, mask6 int) []byte {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return b
	}
	a = a.Unmap().WithZone("")
	bits := mask6
	if a.Is4() {
		bits = mask4
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return b
	}
	return p.AppendTo(b)
}

// stamp is a record's time, kept in 16 bytes rather than as its string:
// the instant, plus what it takes to write the string back as the record
// had it (offset, number of fraction digits, Z). Keeping the string would
// mean copying it every time a group's last time moves, i.e. on most
// records, since the record's strings share one block that must not be
// pinned.
type stamp struct {
	sec    int64 // Unix seconds
	nsec   int32
	off    int16 // minutes east of UTC
	digits uint8 // fraction digits written, 0-9
	flags  uint8
}

const (
	stampValid = 1 << iota
	stampZulu
	stampNegZero // -00:00, RFC 3339's "offset unknown"
)

func (s stamp) valid() bool { return s.flags&stampValid != 0 }

func (s stamp) before(t stamp) bool {
	return s.sec < t.sec || s.sec == t.sec && s.nsec < t.nsec
}

// parseStamp reads an RFC 3339 time, accepting what time.Parse(time.RFC3339,
// s) accepts (the tests check).
func parseStamp(s string) (stamp, bool) {
	if st, ok := fastStamp(s); ok {
		return st, true
	}
	// time.Parse is laxer than the RFC (offsets of 24 hours, a comma
	// before the fraction); what it accepts, we count.
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return stamp{}, false
	}
	_, off := t.Zone()
	st := stamp{sec: t.Unix(), nsec: int32(t.Nanosecond()), off: int16(off / 60), flags: stampValid}
	if strings.HasSuffix(s, "Z") {
		st.flags |= stampZulu
	}
	if i := strings.IndexAny(s[min(19, len(s)):], ".,"); i >= 0 {
		n := 0
		for _, c := range []byte(s[19+i+1:]) {
			if c < '0' || c > '9' {
				break
			}
			n++
		}
		st.digits = uint8(min(n, 9))
	}
	return st, true
}

// fastStamp reads the canonical form, 2006-01-02T15:04:05[.999999999](Z|±07:00),
// without the allocation time.Parse makes for every offset that is not the
// local zone's.
func fastStamp(s string) (stamp, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return stamp{}, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	hour, ok4 := digits(s, 11, 2)
	minute, ok5 := digits(s, 14, 2)
	sec, ok6 := digits(s, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return stamp{}, false
	}
	st := stamp{flags: stampValid}
	i := 19
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if i-start < 9 {
				st.nsec = st.nsec*10 + int32(s[i]-'0')
			}
			i++
		}
		n := i - start
		if n == 0 {
			return stamp{}, false
		}
		for k := n; k < 9; k++ {
			st.nsec *= 10
		}
		st.digits = uint8(min(n, 9))
	}
	switch rest := s[i:]; {
	case rest == "Z":
		st.flags |= stampZulu
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest, 1, 2)
		om, ok2 := digits(rest, 4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return stamp{}, false
		}
		st.off = int16(oh*60 + om)
		if rest[0] == '-' {
			st.off = -st.off
			if st.off == 0 {
				st.flags |= stampNegZero
			}
		}
	default:
		return stamp{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	st.sec = t.Unix() - int64(st.off)*60
	return st, true
}

func digits(s string, at, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[at : at+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendRFC3339 writes s back as the record had it.
func (s stamp) appendRFC3339(b []byte) []byte {
	t := time.Unix(s.sec+int64(s.off)*60, int64(s.nsec)).UTC()
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	if s.digits > 0 {
		var frac [10]byte
		n := int(s.nsec)
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + n%10)
			n /= 10
		}
		frac[0] = '.'
		b = append(b, frac[:1+s.digits]...)
	}
	if s.flags&stampZulu != 0 {
		return append(b, 'Z')
	}
	off := int(s.off)
	sign := byte('+')
	if off < 0 || s.flags&stampNegZero != 0 {
		sign, off = '-', -off
	}
	return append(b, sign, byte('0'+off/600), byte('0'+off/60%10), ':', byte('0'+off%60/10), byte('0'+off%10))
}

func (s stamp) time() time.Time { return time.Unix(s.sec, int64(s.nsec)) }

// appendDay writes the local date of t: 2006-01-02.
func appendDay(b []byte, t time.Time) []byte { return t.AppendFormat(b, "2006-01-02") }

// appendHour writes the local hour of t with its offset,
// 2006-01-02T15:00-07:00, so that the hour a DST change repeats makes two
// groups, and the key reads as the start of the hour in RFC 3339 terms.
func appendHour(b []byte, t time.Time) []byte { return t.AppendFormat(b, "2006-01-02T15:00Z07:00") }
