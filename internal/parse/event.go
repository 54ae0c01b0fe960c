package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"
	"unicode/utf8"
)

// kind says what a recognised line stands for in the counting rule.
type kind uint8

const (
	kindIgnore       kind = iota // recognised, and not an auth event (no auth attempts, TLS failures, ...)
	kindAttempt                  // one failed attempt: an auth-process, PAM or postfix SASL line
	kindSummary                  // a connection's failures: dovecot login summary
	kindDisconnect               // postfix "disconnect from ... auth=S/T"
	kindLogin                    // a successful login
	kindBan                      // fail2ban banned or unbanned an address
	kindPassdbResult             // dovecot's exporter: a passdb's verdict, the reason of the attempt to come
)

// source tells which program's view of an attempt a line is, so that the
// twins of one attempt (dovecot's auth line, PAM's line, postfix's warning)
// pair with each other and not with their own kind.
type source uint8

const (
	srcDovecotAuth source = iota
	srcPAM
	srcPostfix
	srcExporter // dovecot's event exporter
	srcCount
)

// event is one recognised line, before the counting rule decides how many
// attempts it adds.
type event struct {
	kind    kind
	src     source
	daemon  string
	service string
	reason  string
	user    string
	ip      string
	method  string
	session string
	pwHash  string
	passdb  string // which passdb spoke: several passdbs may judge one attempt

	attempts int // kindSummary: attempts the line claims
	secs     int // kindSummary: length of the session in seconds, -1 when not logged
	authOK   int // kindDisconnect: auth=S/T
	authAll  int

	jail     string // kindBan: fail2ban's jail
	banEvent string // kindBan: "ban" or "unban"

	// saslWarning marks any postfix "SASL ... authentication failed"
	// warning, counted or not: its connection's auth=S/T includes it.
	saslWarning bool

	// strs makes the strings; it may be nil (no interning).
	strs *interner

	// offTopic marks a line of a process that has nothing to do with
	// auth (imap, lmtp, ...): not matched, and not "unmatched" either.
	offTopic bool
}

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

// interner hands out one string per distinct text: log fields repeat
// (users, addresses, methods), and a map lookup keyed by the bytes costs
// no allocation where a new string does. It forgets all past a bound.
type interner struct {
	strs map[string]string
	ips  map[string]string
}

const internMax = 1 << 16

func newInterner() *interner {
	return &interner{strs: make(map[string]string), ips: make(map[string]string)}
}

// upper is str of b in upper case: SASL mechanisms, logged either way.
func (ev *event) upper(b []byte) string {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return ev.str(bytes.ToUpper(b))
		}
	}
	return ev.str(b)
}

// str is text(b), interned.
func (ev *event) str(b []byte) string {
	if ev.strs == nil {
		return text(b)
	}
	return intern(ev.strs.strs, b, text)
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

// intern returns m's string for b, made by mk the first time. The map is
// emptied once it holds internMax strings: the bound on its memory.
func intern(m map[string]string, b []byte, mk func([]byte) string) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	if len(m) >= internMax {
		clear(m)
	}
	s := mk(b)
	m[string(b)] = s
	return s
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

// text makes log bytes a valid UTF-8 string: usernames are attacker
// chosen, and what downstream tools receive must be valid JSON text.
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// atoi reads a decimal number; ok is false for anything else.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// leadingInt reads the decimal number at the start of b.
func leadingInt(b []byte) (n int, rest []byte, ok bool) {
	i := 0
	for i < len(b) && i < 9 && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0
}

// cut returns what is before and after the first sep in s.
func cut(s []byte, sep string) (before, after []byte, found bool) {
	if i := bytes.Index(s, []byte(sep)); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, nil, false
}

func hasPrefix(s []byte, p string) bool { return len(s) >= len(p) && string(s[:len(p)]) == p }

func contains(s []byte, sub string) bool { return bytes.Contains(s, []byte(sub)) }

func itoa(n int) string { return strconv.Itoa(n) }

// lastIndex is bytes.LastIndex for the short words the rules look for:
// it finds the word's last byte with LastIndexByte, which scans many
// bytes a step, where bytes.LastIndex hashes every byte.
func lastIndex(s []byte, sep string) int {
	n := len(sep)
	last := sep[n-1]
	for end := len(s); end >= n; {
		i := lastByte(s[:end], last)
		if i < n-1 {
			return -1
		}
		if string(s[i+1-n:i+1]) == sep {
			return i + 1 - n
		}
		end = i
	}
	return -1
}

// lastByte is bytes.LastIndexByte eight bytes a step: the standard one
// looks at one byte at a time, and the parser looks back from every
// candidate to its line's start.
func lastByte(s []byte, c byte) int {
	const lo, hi7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	pattern := lo * uint64(c)
	i := len(s)
	for i >= 8 {
		x := binary.LittleEndian.Uint64(s[i-8:i]) ^ pattern
		// A byte of y has its top bit set exactly where x has a zero byte.
		y := ^(((x & hi7) + hi7) | x | hi7)
		if y != 0 {
			return i - 8 + (bits.Len64(y)-1)/8
		}
		i -= 8
	}
	for i--; i >= 0; i-- {
		if s[i] == c {
			return i
		}
	}
	return -1
}
