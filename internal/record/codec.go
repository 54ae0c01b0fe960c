package record

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The codec is hand-written for this one flat shape: every stage decodes
// and encodes each record, and encoding/json's reflection costs several
// microseconds and a dozen allocations per record. Its semantics are
// encoding/json's (see the fuzz tests, which compare the two).

// fieldID names a known key. The order is the order of AppendJSON.
type fieldID uint8

const (
	fUnknown fieldID = iota
	fTime
	fHost
	fDaemon
	fService
	fEvent
	fOutcome
	fReason
	fUser
	fIP
	fMethod
	fSession
	fPID
	fPwHash
	fScope
	fAttempts
	fCountry
	fCountryName
	fASN
	fASOrg
	fCity
	fFile
	fLine
	nFields
)

// fieldNames are the JSON keys, for error messages.
var fieldNames = [nFields]string{
	fTime: "time", fHost: "host", fDaemon: "daemon", fService: "service",
	fEvent: "event", fOutcome: "outcome", fReason: "reason", fUser: "user",
	fIP: "ip", fMethod: "method", fSession: "session", fPID: "pid",
	fPwHash: "pw_hash", fScope: "scope", fAttempts: "attempts",
	fCountry: "country", fCountryName: "country_name", fASN: "asn",
	fASOrg: "as_org", fCity: "city", fFile: "file", fLine: "line",
}

// lookup maps a key to its field. It is generic so that neither the
// decoder's []byte nor Get's string has to be converted (and copied).
func lookup[T string | []byte](key T) fieldID {
	switch string(key) {
	case "time":
		return fTime
	case "host":
		return fHost
	case "daemon":
		return fDaemon
	case "service":
		return fService
	case "event":
		return fEvent
	case "outcome":
		return fOutcome
	case "reason":
		return fReason
	case "user":
		return fUser
	case "ip":
		return fIP
	case "method":
		return fMethod
	case "session":
		return fSession
	case "pid":
		return fPID
	case "pw_hash":
		return fPwHash
	case "scope":
		return fScope
	case "attempts":
		return fAttempts
	case "country":
		return fCountry
	case "country_name":
		return fCountryName
	case "asn":
		return fASN
	case "as_org":
		return fASOrg
	case "city":
		return fCity
	case "file":
		return fFile
	case "line":
		return fLine
	}
	return fUnknown
}

func isInt(id fieldID) bool { return id == fPID || id == fAttempts || id == fASN }

// str returns the string field id names, or nil for an integer field.
func (r *Record) str(id fieldID) *string {
	switch id {
	case fTime:
		return &r.Time
	case fHost:
		return &r.Host
	case fDaemon:
		return &r.Daemon
	case fService:
		return &r.Service
	case fEvent:
		return &r.Event
	case fOutcome:
		return &r.Outcome
	case fReason:
		return &r.Reason
	case fUser:
		return &r.User
	case fIP:
		return &r.IP
	case fMethod:
		return &r.Method
	case fSession:
		return &r.Session
	case fPwHash:
		return &r.PwHash
	case fScope:
		return &r.Scope
	case fCountry:
		return &r.Country
	case fCountryName:
		return &r.CountryName
	case fASOrg:
		return &r.ASOrg
	case fCity:
		return &r.City
	case fFile:
		return &r.File
	case fLine:
		return &r.Line
	}
	return nil
}

// num returns the integer field id names, or nil for a string field.
func (r *Record) num(id fieldID) *int {
	switch id {
	case fPID:
		return &r.PID
	case fAttempts:
		return &r.Attempts
	case fASN:
		return &r.ASN
	}
	return nil
}

// The values of most string fields come from a small vocabulary (daemon,
// service, country, ...) or repeat line after line (host, file). Their
// strings are shared through the intern table, so decoding them allocates
// nothing once warm, and a stage that keeps one (as a map key, say) keeps a
// few bytes rather than the record's whole string block. The fields in
// copied vary too much to cache: they are copied, all into one string.
var copied = [...]fieldID{fTime, fUser, fIP, fSession, fPwHash, fLine}

// slot is the index in copied of each field there, else -1.
var slot = func() (t [nFields]int8) {
	for id := range t {
		t[id] = -1
	}
	for i, id := range copied {
		t[id] = int8(i)
	}
	return t
}()

// The intern table is a lossy, lock-free cache: a slot holds the last
// string that hashed to it, so memory stays bounded whatever the input,
// and goroutines share it without locks (strings are immutable).
const (
	internSlots = 1024
	internMax   = 64 // longer values are rare and not worth a slot
)

var internTab [internSlots]atomic.Pointer[string]

func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > internMax {
		return string(b)
	}
	slot := &internTab[internHash(b)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// internHash hashes a value from its length and three of its bytes, in
// constant time. That spreads a vocabulary well enough (the equality test
// in intern keeps it exact), and an attacker who makes values collide only
// makes them miss, which costs an allocation, no more.
func internHash(b []byte) uint {
	h := uint64(len(b))<<24 | uint64(b[0])<<16 | uint64(b[len(b)/2])<<8 | uint64(b[len(b)-1])
	return uint((h * 0x9e3779b97f4a7c15) >> (64 - 10)) // internSlots is 1<<10
}

// maxDepth is encoding/json's nesting limit (the record counts as one
// level); the same limit keeps the same inputs valid, and bounds the
// recursion of skip.
const maxDepth = 10000

var (
	errEnd       = errors.New("unexpected end of JSON input")
	errNotObject = errors.New("not a JSON object")
)

// decoder holds the state of one Unmarshal. It lives on the stack.
type decoder struct {
	data []byte
	pos  int

	// The values of the fields that are not interned are collected in
	// vals (pointing into data, or into scratch when they had to be
	// decoded) and copied at the end into one string: one allocation for
	// the record instead of one per field, and nothing aliases data, which
	// the caller reuses.
	vals    [len(copied)][]byte
	inVals  uint8  // bit i: vals[i] is the value of field copied[i]
	scratch []byte // strings that had escapes or invalid UTF-8; rare

	// extraIndex finds duplicate unknown keys in records with many of
	// them, where a linear search would make a hostile line quadratic.
	extraIndex map[string]int
}

// Unmarshal decodes one JSON object into r (which it resets first).
// Known keys must have their type (strings, integers); null counts as
// absent; any other key is kept raw in Extra. A later duplicate key wins,
// as with encoding/json. The strings set in r do not alias data. r.Extra's
// storage (the slice and each Value) is reused: Clone a record to keep it.
// On error r is left reset.
func (r *Record) Unmarshal(data []byte) error {
	r.Reset()
	d := decoder{data: data}
	if err := d.object(r); err != nil {
		r.Reset()
		return err
	}
	if d.inVals == 0 {
		return nil
	}
	// strings.Builder hands over its buffer without a copy: one exact
	// allocation for all the fields.
	n := 0
	for i := range copied {
		if d.inVals&(1<<i) != 0 {
			n += len(d.vals[i])
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := range copied {
		if d.inVals&(1<<i) != 0 {
			b.Write(d.vals[i])
		}
	}
	s := b.String()
	off := 0
	for i, id := range copied {
		if d.inVals&(1<<i) != 0 {
			end := off + len(d.vals[i])
			*r.str(id) = s[off:end]
			off = end
		}
	}
	return nil
}

func (d *decoder) object(r *Record) error {
	d.space()
	if d.pos == len(d.data) {
		return errEnd
	}
	if c := d.data[d.pos]; c != '{' {
		if startsValue(c) {
			return errNotObject
		}
		return d.badChar()
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return d.end()
	}
	for {
		if err := d.member(r); err != nil {
			return err
		}
		if d.pos < len(d.data) && d.data[d.pos] == ',' {
			d.pos++
			d.space()
			continue
		}
		d.space()
		if d.pos == len(d.data) {
			return errEnd
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case '}':
			d.pos++
			return d.end()
		default:
			return d.badChar()
		}
	}
}

// end accepts only whitespace after the object.
func (d *decoder) end() error {
	d.space()
	if d.pos < len(d.data) {
		return d.badChar()
	}
	return nil
}

// member decodes one key and its value into r. It takes the common case,
// `"key":"value"` with nothing to unescape, without a call to str: with
// short values, calls are a good part of the cost.
func (d *decoder) member(r *Record) error {
	data := d.data
	i := d.pos
	if i == len(data) {
		return errEnd
	}
	if data[i] != '"' {
		return d.badChar()
	}
	mark := len(d.scratch)
	var key []byte
	if j := skipPlainBytes(data, i+1); j < len(data) && data[j] == '"' {
		key = data[i+1 : j]
		d.pos = j + 1
	} else {
		var err error
		if key, err = d.str(); err != nil {
			return err
		}
	}
	if d.pos < len(data) && data[d.pos] == ':' {
		d.pos++
	} else {
		d.space()
		if d.pos == len(data) {
			return errEnd
		}
		if data[d.pos] != ':' {
			return d.badChar()
		}
		d.pos++
	}
	d.space()
	id := lookup(key)
	if i := d.pos; i < len(data) && data[i] == '"' && id != fUnknown && !isInt(id) {
		if j := skipPlainBytes(data, i+1); j < len(data) && data[j] == '"' {
			d.scratch = d.scratch[:mark]
			d.pos = j + 1
			d.setStr(r, id, data[i+1:j])
			return nil
		}
	}
	if id == fUnknown {
		f := d.extra(r, key)
		d.scratch = d.scratch[:mark] // an escaped key was decoded there
		return d.raw(f)
	}
	d.scratch = d.scratch[:mark]
	if isInt(id) {
		return d.intValue(r.num(id), id)
	}
	return d.strValue(r, id)
}

func (d *decoder) strValue(r *Record, id fieldID) error {
	if d.pos == len(d.data) {
		return errEnd
	}
	switch c := d.data[d.pos]; {
	case c == '"':
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*r.str(id) = ""
		if i := slot[id]; i >= 0 {
			d.inVals &^= 1 << i
		}
		return nil
	case startsValue(c):
		return fmt.Errorf("%q: want a string", fieldNames[id])
	default:
		return d.badChar()
	}
	mark := len(d.scratch)
	v, err := d.str()
	if err != nil {
		return err
	}
	if d.setStr(r, id, v) {
		d.scratch = d.scratch[:mark]
	}
	return nil
}

// setStr sets string field id to v, and says whether v may be forgotten
// (it was interned). Otherwise v must stay valid until the end of
// Unmarshal; it does even in scratch, which is only ever cut back to marks
// taken after v was put there (and a reallocation leaves the old array as
// it was).
func (d *decoder) setStr(r *Record, id fieldID, v []byte) bool {
	i := slot[id]
	if i < 0 {
		*r.str(id) = intern(v)
		return true
	}
	d.vals[i] = v
	d.inVals |= 1 << i
	return false
}

func (d *decoder) intValue(p *int, id fieldID) error {
	if d.pos == len(d.data) {
		return errEnd
	}
	switch c := d.data[d.pos]; {
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*p = 0
		return nil
	case c == '-' || '0' <= c && c <= '9':
	case startsValue(c):
		return fmt.Errorf("%q: want an integer", fieldNames[id])
	default:
		return d.badChar()
	}
	start := d.pos
	integer, err := d.number()
	if err != nil {
		return err
	}
	if !integer {
		return fmt.Errorf("%q: want an integer", fieldNames[id])
	}
	n, ok := parseInt(d.data[start:d.pos])
	if !ok {
		return fmt.Errorf("%q: integer out of range", fieldNames[id])
	}
	*p = n
	return nil
}

// parseInt converts a JSON integer (already validated) to an int.
func parseInt(b []byte) (int, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	limit := uint64(1)<<(strconv.IntSize-1) - 1
	if neg {
		limit++
	}
	var n uint64
	for _, c := range b {
		if n > (limit-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		return int(-n), true
	}
	return int(n), true
}

// extra returns the Field for an unknown key: the existing one when the key
// repeats, else a new one that reuses the storage of a previous record.
func (d *decoder) extra(r *Record, key []byte) *Field {
	if d.extraIndex != nil {
		if i, ok := d.extraIndex[string(key)]; ok {
			return &r.Extra[i]
		}
	} else {
		for i := range r.Extra {
			if r.Extra[i].Key == string(key) {
				return &r.Extra[i]
			}
		}
	}
	n := len(r.Extra)
	if n < cap(r.Extra) {
		r.Extra = r.Extra[:n+1]
		// Records in a stream tend to carry the same extra keys in the
		// same order: keeping the old key string saves its allocation.
		if r.Extra[n].Key != string(key) {
			r.Extra[n].Key = string(key)
		}
	} else {
		r.Extra = append(r.Extra, Field{Key: string(key)})
	}
	f := &r.Extra[n]
	if d.extraIndex != nil {
		d.extraIndex[f.Key] = n
	} else if n+1 >= 16 {
		d.extraIndex = make(map[string]int, 2*(n+1))
		for i := range r.Extra {
			d.extraIndex[r.Extra[i].Key] = i
		}
	}
	return f
}

// raw validates the value at d.pos and copies it, as written, into f.
func (d *decoder) raw(f *Field) error {
	start := d.pos
	invalid, err := d.skip(1)
	if err != nil {
		return err
	}
	if invalid {
		f.Value = appendValidUTF8(f.Value[:0], d.data[start:d.pos])
	} else {
		f.Value = append(f.Value[:0], d.data[start:d.pos]...)
	}
	return nil
}

// appendValidUTF8 copies a valid JSON text, writing each byte of invalid
// UTF-8 (which can only sit inside strings) as \ufffd, the value
// encoding/json reads for it anyway: our output is always valid UTF-8.
func appendValidUTF8(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + 1
		}
		i += size
	}
	return append(dst, src[start:]...)
}

// plain marks the bytes a string can hold as they are (and that AppendJSON
// writes as they are): ASCII from space to DEL, but the quote and the
// backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Strings are scanned eight bytes at a time for the bytes that need care:
// in the usual record there are none, and a byte at a time is the
// codec's main cost.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads 8 bytes of s at i, little-endian; the compiler makes it one
// load.
func load64[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// skipPlainString is skipPlain, 32 bytes a step with AVX2 while 32 or
// more are left: log lines are long.
func skipPlainString(s string, i int) int {
	if haveAVX2 && len(s)-i >= 32 {
		i += plainAVX2(s[i:])
		if i == len(s) || !plain[s[i]] {
			return i
		}
	}
	return skipPlain(s, i)
}

// skipPlainBytes is skipPlainString for bytes, which it only reads.
func skipPlainBytes(b []byte, i int) int {
	return skipPlainString(unsafe.String(unsafe.SliceData(b), len(b)), i)
}

// specials sets the top bit of each byte of w that is not plain, or of
// some later byte; the lowest set bit is exact. These are the classic
// tests for a zero byte and a byte below n.
func specials(w uint64) uint64 {
	quote := w ^ ('"' * ones)
	slash := w ^ ('\\' * ones)
	return ((w-' '*ones)&^w | (quote-ones)&^quote | (slash-ones)&^slash | w) & highs
}

// skipPlain returns the index of the first byte of s from i on that is not
// plain, or len(s).
func skipPlain[T string | []byte](s T, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := specials(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	if n := len(s) - i; n > 0 && len(s) >= 8 {
		// One load of the last 8 bytes covers the tail, the bytes before i
		// replaced by a plain one so that none of them sets a flag or a
		// borrow. Most fields are short: this saves a byte-by-byte loop.
		keep := ^uint64(0) << (8 * (8 - n))
		if m := specials(load64(s, len(s)-8)&keep | 'a'*ones&^keep); m != 0 {
			return len(s) - 8 + bits.TrailingZeros64(m)/8
		}
		return len(s)
	}
	for ; i < len(s) && plain[s[i]]; i++ {
	}
	return i
}

// str decodes the string at d.pos (its opening quote). The result aliases
// d.data when the string needs no decoding (the common case); else it is
// decoded onto the end of d.scratch.
func (d *decoder) str() ([]byte, error) {
	data := d.data
	start := d.pos + 1
	i := start
	for {
		i = skipPlainBytes(data, i)
		if i == len(data) {
			break
		}
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			return data[start:i], nil
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	mark := len(d.scratch)
	d.scratch = append(d.scratch, data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.scratch[mark:], nil
		case c == '\\':
			n, err := d.unescape(i)
			if err != nil {
				return nil, err
			}
			i = n
		case c < 0x20:
			return nil, badCharIn(c, i, " in string")
		case c < utf8.RuneSelf:
			d.scratch = append(d.scratch, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				d.scratch = append(d.scratch, "\uFFFD"...)
			} else {
				d.scratch = append(d.scratch, data[i:i+size]...)
			}
			i += size
		}
	}
	return nil, errEnd
}

// unescape decodes the escape at data[i] onto d.scratch and returns the
// index after it. Surrogates are paired as encoding/json pairs them: a
// valid pair makes one rune, anything else U+FFFD.
func (d *decoder) unescape(i int) (int, error) {
	data := d.data
	if i+1 >= len(data) {
		return 0, errEnd
	}
	var c byte
	switch data[i+1] {
	case '"', '\\', '/':
		c = data[i+1]
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, err := hex4(data, i+2)
		if err != nil {
			return 0, err
		}
		i += 6
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
				r2, _ = hex4(data, i+2) // a bad escape fails on the next turn
			}
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				r = pair
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		d.scratch = utf8.AppendRune(d.scratch, r)
		return i, nil
	default:
		return 0, badCharIn(data[i+1], i+1, " in string escape")
	}
	d.scratch = append(d.scratch, c)
	return i + 2, nil
}

// hex4 reads the four hex digits of a \u escape at data[i:].
func hex4(data []byte, i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(data) {
			return -1, errEnd
		}
		c := data[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1, badCharIn(data[j], j, " in \\u escape")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// skip validates the value at d.pos and moves past it; depth is the
// nesting around it. invalid reports bytes of invalid UTF-8 in strings.
func (d *decoder) skip(depth int) (invalid bool, err error) {
	if d.pos == len(d.data) {
		return false, errEnd
	}
	switch c := d.data[d.pos]; c {
	case '"':
		return d.skipString()
	case 't':
		return false, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.literal("null")
	case '{', '[':
		if depth >= maxDepth {
			return false, fmt.Errorf("nesting deeper than %d at offset %d", maxDepth, d.pos)
		}
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		d.pos++
		d.space()
		if d.pos < len(d.data) && d.data[d.pos] == closing {
			d.pos++
			return false, nil
		}
		for {
			if c == '{' {
				if d.pos == len(d.data) {
					return false, errEnd
				}
				if d.data[d.pos] != '"' {
					return false, d.badChar()
				}
				bad, err := d.skipString()
				if err != nil {
					return false, err
				}
				invalid = invalid || bad
				d.space()
				if d.pos == len(d.data) {
					return false, errEnd
				}
				if d.data[d.pos] != ':' {
					return false, d.badChar()
				}
				d.pos++
				d.space()
			}
			bad, err := d.skip(depth + 1)
			if err != nil {
				return false, err
			}
			invalid = invalid || bad
			d.space()
			if d.pos == len(d.data) {
				return false, errEnd
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
				d.space()
			case closing:
				d.pos++
				return invalid, nil
			default:
				return false, d.badChar()
			}
		}
	default:
		if c == '-' || '0' <= c && c <= '9' {
			_, err := d.number()
			return false, err
		}
		return false, d.badChar()
	}
}

// skipString validates the string at d.pos without decoding it.
func (d *decoder) skipString() (invalid bool, err error) {
	data := d.data
	i := d.pos + 1
	for {
		if i = skipPlainBytes(data, i); i == len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return invalid, nil
		case c == '\\':
			if i+1 >= len(data) {
				return false, errEnd
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, err := hex4(data, i+2); err != nil {
					return false, err
				}
				i += 6
			default:
				return false, badCharIn(data[i+1], i+1, " in string escape")
			}
		case c < 0x20:
			return false, badCharIn(c, i, " in string")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				invalid = true
			}
			i += size
		}
	}
	return false, errEnd
}

// number moves past the JSON number at d.pos and says whether it was
// written as an integer (no fraction, no exponent).
func (d *decoder) number() (integer bool, err error) {
	data := d.data
	i := d.pos
	if data[i] == '-' {
		i++
	}
	digits := func() error {
		if i == len(data) {
			return errEnd
		}
		if c := data[i]; c < '0' || c > '9' {
			return badCharIn(c, i, "")
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return nil
	}
	if i < len(data) && data[i] == '0' {
		i++ // no leading zeros: "01" stops here and fails as garbage
	} else if err := digits(); err != nil {
		return false, err
	}
	integer = true
	if i < len(data) && data[i] == '.' {
		integer = false
		i++
		if err := digits(); err != nil {
			return false, err
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if err := digits(); err != nil {
			return false, err
		}
	}
	d.pos = i
	return integer, nil
}

// literal moves past lit (true, false or null) at d.pos.
func (d *decoder) literal(lit string) error {
	for j := 0; j < len(lit); j++ {
		if d.pos == len(d.data) {
			return errEnd
		}
		if d.data[d.pos] != lit[j] {
			return d.badChar()
		}
		d.pos++
	}
	return nil
}

// space skips JSON whitespace (only these four bytes).
func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

func (d *decoder) badChar() error { return badCharIn(d.data[d.pos], d.pos, "") }

// badCharIn reports byte c at offset off (counted from 0) as unexpected.
func badCharIn(c byte, off int, where string) error {
	var q string
	if c < utf8.RuneSelf {
		q = strconv.QuoteRune(rune(c))
	} else {
		q = fmt.Sprintf(`'\x%02x'`, c)
	}
	return fmt.Errorf("invalid character %s%s at offset %d", q, where, off)
}

// AppendJSON appends r as one JSON object (no newline) to dst. Known keys
// come first in a fixed order, then Extra in its order. Strings are
// written as encoding/json writes them with SetEscapeHTML(false).
func (r *Record) AppendJSON(dst []byte) []byte {
	// Each member is written after a comma; the first comma then becomes
	// the opening brace.
	start := len(dst)
	dst = appendStr(dst, `,"time":`, r.Time)
	dst = appendStr(dst, `,"host":`, r.Host)
	dst = appendStr(dst, `,"daemon":`, r.Daemon)
	dst = appendStr(dst, `,"service":`, r.Service)
	dst = appendStr(dst, `,"event":`, r.Event)
	dst = appendStr(dst, `,"outcome":`, r.Outcome)
	dst = appendStr(dst, `,"reason":`, r.Reason)
	dst = appendStr(dst, `,"user":`, r.User)
	dst = appendStr(dst, `,"ip":`, r.IP)
	dst = appendStr(dst, `,"method":`, r.Method)
	dst = appendStr(dst, `,"session":`, r.Session)
	dst = appendNum(dst, `,"pid":`, r.PID)
	dst = appendStr(dst, `,"pw_hash":`, r.PwHash)
	dst = appendStr(dst, `,"scope":`, r.Scope)
	dst = appendNum(dst, `,"attempts":`, r.Attempts)
	dst = appendStr(dst, `,"country":`, r.Country)
	dst = appendStr(dst, `,"country_name":`, r.CountryName)
	dst = appendNum(dst, `,"asn":`, r.ASN)
	dst = appendStr(dst, `,"as_org":`, r.ASOrg)
	dst = appendStr(dst, `,"city":`, r.City)
	dst = appendStr(dst, `,"file":`, r.File)
	dst = appendStr(dst, `,"line":`, r.Line)
	for _, f := range r.Extra {
		dst = append(dst, ',')
		dst = appendString(dst, f.Key)
		dst = append(dst, ':')
		if len(f.Value) == 0 { // a Field built by hand without a value
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, f.Value...)
		}
	}
	if len(dst) == start {
		return append(dst, "{}"...)
	}
	dst[start] = '{'
	return append(dst, '}')
}

func appendStr(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return appendString(append(dst, key...), v)
}

func appendNum(dst []byte, key string, v int) []byte {
	if v == 0 {
		return dst
	}
	return strconv.AppendInt(append(dst, key...), int64(v), 10)
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as records write their
// strings; stages that write JSON of their own shape use it too.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString writes s as a JSON string without HTML escaping: mail logs
// are full of <user@host>, and \u003c helps nobody reading them. Control
// characters, U+2028 and U+2029 are escaped and invalid UTF-8 becomes
// \ufffd, byte for byte as encoding/json does.
func appendString(dst []byte, s string) []byte {
	dst, _ = appendText(dst, s)
	return dst
}

// AppendBytes appends b as a JSON string, as AppendString does. valid is
// false when b was not UTF-8 (its bad bytes were written as \ufffd): a
// stage that must keep them (mailcop-tail's line_b64) then knows, without
// a pass of its own over b.
func AppendBytes(dst, b []byte) (out []byte, valid bool) {
	// appendText only reads b, during the call: no copy is needed.
	return appendText(dst, unsafe.String(unsafe.SliceData(b), len(b)))
}

// appendText is appendString, and tells whether s was UTF-8.
func appendText(dst []byte, s string) (out []byte, valid bool) {
	valid = true
	dst = append(dst, '"')
	start := 0
	for i := 0; ; {
		if i = skipPlainString(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			valid = false
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not JavaScript: encoding/json escapes them.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), valid
}

// Unquote decodes a raw JSON string value, such as an Extra field's: ok is
// false when raw is not a JSON string.
func Unquote(raw []byte) (s string, ok bool) { return unquote(raw) }

// PlainLineRecord recognises the record mailcop-tail writes for a log
// line, {"file":F,"line":L} or {"line":L}, when neither string holds a
// byte that JSON escapes or that is not ASCII, the usual case: F and L
// are then b's own bytes, with nothing to decode or copy. Any other
// record is not ok, and is Unmarshal's.
func PlainLineRecord(b []byte) (file, line []byte, ok bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"file":"`))
	if ok {
		j := skipPlainBytes(rest, 0)
		if j == len(rest) || rest[j] != '"' {
			return nil, nil, false
		}
		file = rest[:j]
		if rest, ok = bytes.CutPrefix(rest[j+1:], []byte(`,"line":"`)); !ok {
			return nil, nil, false
		}
	} else if rest, ok = bytes.CutPrefix(b, []byte(`{"line":"`)); !ok {
		return nil, nil, false
	}
	j := skipPlainBytes(rest, 0)
	if j != len(rest)-2 || rest[j] != '"' || rest[j+1] != '}' {
		return nil, nil, false
	}
	return file, rest[:j], true
}

// unquote decodes a JSON string value, as Get returns it.
func unquote(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	d := decoder{data: raw}
	v, err := d.str()
	if err != nil || d.pos != len(raw) {
		return "", false
	}
	return string(v), true
}
