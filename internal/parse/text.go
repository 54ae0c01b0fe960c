package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

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
