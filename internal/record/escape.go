package record

import (
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

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
// load, after one bounds check for the eight bytes.
func load64[T string | []byte](s T, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// load32 reads 4 bytes of s at i, little-endian, as load64 does.
func load32(s string, i int) uint64 {
	b := s[i : i+4]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
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
	// Nearly every member is plain, most of them short: one look (without
	// a call under 33 bytes) and one copy.
	i := len(s)
	if len(s) > 32 || !shortPlain(s) {
		i = skipPlainString(s, 0)
	}
	if i < len(s) {
		return appendEscaped(dst, s, i)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), true
}

// shortPlain tells whether s, of at most 32 bytes, is all plain: in words
// of 8 bytes, the last one overlapping the one before, or two of 4 under
// 8 bytes (names, addresses, times, and the vocabulary's words).
func shortPlain(s string) bool {
	n := len(s)
	switch {
	case n >= 8:
		m := specials(load64(s, n-8))
		for j := 0; j+8 < n; j += 8 {
			m |= specials(load64(s, j))
		}
		return m == 0
	case n >= 4:
		return specials(load32(s, 0)|load32(s, n-4)<<32) == 0
	}
	for j := 0; j < n; j++ {
		if !plain[s[j]] {
			return false
		}
	}
	return true
}

// appendEscaped is appendText for s, whose first byte to escape or check
// is at i.
func appendEscaped(dst []byte, s string, i int) (out []byte, valid bool) {
	valid = true
	dst = append(dst, '"')
	dst = append(dst, s[:i]...)
	start := i
	for {
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
