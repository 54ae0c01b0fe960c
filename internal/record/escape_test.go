package record

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// skipPlain (eight bytes a step, one overlapping load for the tail) and
// skipPlainString and skipPlainBytes (32 bytes a step where the CPU has
// AVX2) agree with a byte-by-byte scan wherever the first special byte is
// and whatever special bytes lie before the start.
func TestSkipPlain(t *testing.T) {
	naive := func(s string, i int) int {
		for ; i < len(s) && plain[s[i]]; i++ {
		}
		return i
	}
	for n := 0; n <= 100; n++ {
		for _, special := range []byte{'"', '\\', 0, '\n', 0x1f, 0x7f, 0x80, 0xc3, 0xff} {
			for at := -1; at < n; at++ {
				b := []byte(strings.Repeat("x", n))
				if at >= 0 {
					b[at] = special
				}
				s := string(b)
				for i := 0; i <= n; i++ {
					want := naive(s, i)
					if got := skipPlain(s, i); got != want {
						t.Fatalf("skipPlain(%q, %d) = %d, want %d", s, i, got, want)
					}
					if got := skipPlainString(s, i); got != want {
						t.Fatalf("skipPlainString(%q, %d) = %d, want %d", s, i, got, want)
					}
					if got := skipPlainBytes(b, i); got != want {
						t.Fatalf("skipPlainBytes(%q, %d) = %d, want %d", s, i, got, want)
					}
				}
			}
		}
	}
}

// appendText's quick looks at short strings (two words of 8 or of 4
// bytes) and its loop agree with encoding/json on every length and every
// place of a byte that needs care.
func TestAppendTextShort(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for _, special := range []string{"\"", "\\", "\x00", "\n", "\x1f", "\x7f", "\x80", "é", "\u2028", "\xff"} {
			for at := -1; at < n; at++ {
				s := strings.Repeat("x", n)
				if at >= 0 {
					s = s[:at] + special + s[at+1:]
				}
				var want bytes.Buffer
				enc := json.NewEncoder(&want)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(s); err != nil {
					t.Fatal(err)
				}
				if got := string(appendString([]byte("> "), s)); got != "> "+strings.TrimSuffix(want.String(), "\n") {
					t.Fatalf("appendString(%q) = %s, want %s", s, got[2:], want.String())
				}
			}
		}
	}
}
