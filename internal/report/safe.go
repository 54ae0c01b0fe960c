package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Everything a report prints that came from the log (usernames above all,
// but also hosts, jails, and what mailcop-geo looked up) is the attacker's
// text. safe makes it printable: no byte of it can move the cursor, change
// colours, set a window title, ring the bell, reverse the text that
// follows (bidi overrides) or start a new line. The HTML renderer escapes
// the result again for HTML; mail headers get only safe text too.
//
// The escaping is mailcop-count's (internal/count/output.go), kept as a
// copy: two stages share it, a third would move it to a package.

// safe returns s with every byte a terminal might act on made visible:
// C0 controls and DEL as \t, \n, \r or \xNN; C1 controls, format
// characters (bidi overrides, zero-width spaces) and line separators as
// \uNNNN; bytes that are not UTF-8 as \xNN. The backslash itself is
// doubled, so that an attacker cannot spell an escape that reads like one
// of ours.
func safe(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c >= 0x7f {
			return string(appendSafe(nil, s))
		}
	}
	return s
}

func appendSafe(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := appendSafeRune(nil, s[i:])
		b = append(b, r...)
		i += size
	}
	return b
}

// appendSafeRune appends the printable form of the first character of s
// and returns how many bytes of s it stood for.
func appendSafeRune(b []byte, s string) ([]byte, int) {
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

// clip is safe(s) cut to at most n terminal cells, ending in "…" when it
// was cut: a 1 MiB username must not fill a screen or a mail. An escape
// is never cut in the middle.
func clip(s string, n int) string {
	if len(s) <= n && safe(s) == s {
		return s
	}
	type cut struct{ end, w int }
	var b []byte
	var cuts []cut // after each character: bytes written, cells taken
	w := 0
	for i := 0; i < len(s); {
		start := len(b)
		var size int
		b, size = appendSafeRune(b, s[i:])
		w += width(string(b[start:]))
		i += size
		// Combining marks take no cell: cap the bytes too.
		if w > n || len(b) > 8*n {
			// Keep what fits in n-1 cells, and the ellipsis.
			end := 0
			for _, c := range cuts {
				if c.w > n-1 {
					break
				}
				end = c.end
			}
			return string(b[:end]) + "…"
		}
		cuts = append(cuts, cut{len(b), w})
	}
	return string(b)
}

// width is how many terminal cells s takes, near enough to align
// columns without a dependency: combining marks take none, the East Asian
// wide ranges two.
func width(s string) int {
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

// pad returns s padded with spaces to w cells, on the left when right.
func pad(s string, w int, right bool) string {
	n := w - width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}
