package term

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestAppendSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bob@example.com", "bob@example.com"},
		{"café 日本", "café 日本"},
		{"\x1b]0;pwned\x07admin", `\x1b]0;pwned\x07admin`}, // a title-setting OSC
		{"\x1b[2J", `\x1b[2J`},
		{"a\tb\nc\rd", `a\tb\nc\rd`},
		{"\x00\x7f", `\x00\x7f`},
		{`a\x1b`, `a\\x1b`}, // an escape spelt by the attacker stays visibly theirs
		{"\xff\xfeok", `\xff\xfeok`},
		{"caf\xc3", `caf\xc3`}, // a truncated character
		{"\u0085", `\u0085`},   // C1: NEL
		{"\u009b31m", `\u009b31m`},
		{"admin\u202etxt.exe", `admin\u202etxt.exe`}, // right-to-left override
		{"ad\u200bmin", `ad\u200bmin`},               // zero-width space
		{"a\u2028b\u2029", `a\u2028b\u2029`},
		{"\U000e0041", `\U000e0041`}, // a tag character
		{"", ""},
	} {
		if got := string(AppendSafe([]byte("> "), tc.in)); got != "> "+tc.want {
			t.Errorf("AppendSafe(%q) = %q, want %q", tc.in, got, "> "+tc.want)
		}
	}
}

func TestWidth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"203.0.113.5", 11},
		{"café", 4},
		{"cafe\u0301", 4}, // a combining acute takes no cell
		{"日本", 4},
		{"한국", 4},
		{"ＡＢ", 4}, // fullwidth forms
		{"😀", 2},
		{"\u303f", 1}, // the one narrow character of its block
		{"\xff", 1},   // shown as U+FFFD
	} {
		if got := Width(tc.in); got != tc.want {
			t.Errorf("Width(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// unescape reverses AppendSafe, to show that nothing is lost and that no
// two texts print alike.
func unescape(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			t.Fatalf("escape cut short in %q", s)
		}
		i++
		digits := 0
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'x':
			digits = 2
		case 'u':
			digits = 4
		case 'U':
			digits = 8
		default:
			t.Fatalf("unknown escape \\%c in %q", s[i], s)
		}
		if digits == 0 {
			continue
		}
		if i+digits >= len(s) {
			t.Fatalf("escape cut short in %q", s)
		}
		n, err := strconv.ParseUint(s[i+1:i+1+digits], 16, 32)
		if err != nil {
			t.Fatalf("escape \\%c%s in %q: %v", s[i], s[i+1:i+1+digits], s, err)
		}
		if s[i] == 'x' {
			b.WriteByte(byte(n))
		} else {
			b.WriteRune(rune(n))
		}
		i += digits
	}
	return b.String()
}

// Whatever the log holds, the safe text holds no byte a terminal acts on,
// no invisible or direction-changing character, and says exactly what the
// log said.
func FuzzAppendSafe(f *testing.F) {
	for _, s := range []string{"bob", "\x1b]0;x\x07", `\x41`, "\xff\u202e", "\U000e0041日本", "\\\\u0041"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(AppendSafe(nil, s))
		if !utf8.ValidString(out) {
			t.Fatalf("AppendSafe(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Fatalf("AppendSafe(%q) = %q: holds %U", s, out, r)
			}
		}
		if back := unescape(t, out); back != s {
			t.Fatalf("AppendSafe(%q) = %q, which reads back as %q", s, out, back)
		}
		// Escapes are ASCII: a line of bytes below 0x80 prints as wide
		// as its safe text is long, so the columns of a table hold.
		if isASCII(s) && Width(out) != len(out) {
			t.Fatalf("Width(%q) = %d, want %d", out, Width(out), len(out))
		}
	})
}

// Width adds up over the parts of a text, and counts one cell for each
// printable ASCII byte.
func FuzzWidth(f *testing.F) {
	f.Add("abc", "日本")
	f.Add("e\u0301", "\U0001f600")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // two halves of one character would join
		}
		if Width(a+b) != Width(a)+Width(b) {
			t.Fatalf("Width(%q+%q) = %d, want %d+%d", a, b, Width(a+b), Width(a), Width(b))
		}
		ascii := 0
		for i := 0; i < len(a); i++ {
			if a[i] >= 0x20 && a[i] < 0x7f {
				ascii++
			}
		}
		if ascii == len(a) && Width(a) != len(a) {
			t.Fatalf("Width(%q) = %d for %d printable ASCII bytes", a, Width(a), len(a))
		}
		if w := Width(a); w < 0 || w > 2*utf8.RuneCountInString(a) {
			t.Fatalf("Width(%q) = %d for %d characters", a, w, utf8.RuneCountInString(a))
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
