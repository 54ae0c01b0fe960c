// Package term makes text from the log safe to print on a terminal and
// measures it for aligned columns. mailcop-count's tables and
// mailcop-report's text share it: the escaping of attacker-chosen text
// must be one and the same everywhere.
package term

import (
	"unicode"
	"unicode/utf8"
)

// AppendSafe appends s with every byte a terminal might act on made
// visible: C0 controls and DEL as \t, \n, \r or \xNN; C1 controls, format
// characters (the bidi overrides that reverse what follows, zero-width
// spaces) and line separators as \uNNNN; bytes that are not UTF-8 as
// \xNN. The backslash itself is doubled, so that an attacker cannot spell
// an escape that reads like one of ours.
func AppendSafe(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		var n int
		b, n = AppendSafeRune(b, s[i:])
		i += n
	}
	return b
}

// AppendSafeRune appends the printable form of the first character of s
// and returns how many bytes of s it stood for.
func AppendSafeRune(b []byte, s string) ([]byte, int) {
	const hex = "0123456789abcdef"
	c := s[0]
	if c >= 0x20 && c < 0x7f && c != '\\' {
		return append(b, c), 1
	}
	switch c {
	case '\\':
		return append(b, '\\', '\\'), 1
	case '\t':
		return append(b, '\\', 't'), 1
	case '\n':
		return append(b, '\\', 'n'), 1
	case '\r':
		return append(b, '\\', 'r'), 1
	}
	if c < 0x80 {
		return append(b, '\\', 'x', hex[c>>4], hex[c&0xf]), 1
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size == 1:
		return append(b, '\\', 'x', hex[c>>4], hex[c&0xf]), 1
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp):
		// \uNNNN, or \UNNNNNNNN beyond the BMP (tag characters), as Go
		// and Python spell them.
		if r > 0xffff {
			b = append(b, '\\', 'U', '0', '0', hex[r>>20&0xf], hex[r>>16&0xf])
		} else {
			b = append(b, '\\', 'u')
		}
		return append(b, hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf]), size
	}
	return append(b, s[:size]...), size
}

// Width is how many terminal cells s takes, near enough to align
// columns without a dependency: combining marks take none, the East Asian
// wide ranges two.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x300:
			n++
		case unicode.In(r, unicode.Mn, unicode.Me):
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func wide(r rune) bool {
	return r >= 0x1100 && r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf && r != 0x303f ||
		r >= 0xac00 && r <= 0xd7a3 || r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f ||
		r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 ||
		r >= 0x1f300 && r <= 0x1f64f || r >= 0x1f900 && r <= 0x1f9ff || r >= 0x20000 && r <= 0x3fffd
}
