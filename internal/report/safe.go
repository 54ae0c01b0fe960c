package report

import (
	"strings"

	"github.com/mailcop/mailcop/internal/term"
)

// Everything a report prints that came from the log (usernames above all,
// but also hosts, jails, and what mailcop-geo looked up) is the attacker's
// text. safe makes it printable: no byte of it can move the cursor, change
// colours, set a window title, ring the bell, reverse the text that
// follows (bidi overrides) or start a new line. The HTML renderer escapes
// the result again for HTML; mail headers get only safe text too.
//
// The escaping is internal/term's, shared with mailcop-count's tables.

// safe returns s with every byte a terminal might act on made visible:
// C0 controls and DEL as \t, \n, \r or \xNN; C1 controls, format
// characters (bidi overrides, zero-width spaces) and line separators as
// \uNNNN; bytes that are not UTF-8 as \xNN. The backslash itself is
// doubled, so that an attacker cannot spell an escape that reads like one
// of ours.
func safe(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c >= 0x7f {
			return string(term.AppendSafe(nil, s))
		}
	}
	return s
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
		b, size = term.AppendSafeRune(b, s[i:])
		w += term.Width(string(b[start:]))
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

// pad returns s padded with spaces to w cells, on the left when right.
func pad(s string, w int, right bool) string {
	n := w - term.Width(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}
