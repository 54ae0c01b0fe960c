package count

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/term"
)

// parseStamp must agree with time.Parse(time.RFC3339, ...) on what it
// accepts and on the instant, and write the string back as it was.
func TestParseStamp(t *testing.T) {
	for _, s := range []string{
		"2026-11-25T06:25:01+01:00", "2026-11-25T06:25:01Z", "2026-11-25T06:25:01+00:00",
		"2026-11-25T06:25:01-00:00", "2026-11-25T06:25:01.5+01:00", "2026-11-25T06:25:01.123456789-09:30",
		"2024-02-29T23:59:59+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.000+23:59",
		"2026-11-25T06:25:01.1234567891Z", // more digits than a nanosecond
		// Rejected, by both.
		"2026-11-25T06:25:01", "2026-11-25 06:25:01Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-11-25T24:00:00Z", "2026-11-25T06:60:00Z", "2026-11-25T06:25:60Z", "2026-11-25T06:25:01.Z",
		"2026-11-25T06:25:01+1:00", "2026-11-25T06:25:01+01:60", "2026-11-25T06:25:01,5+24:00", "2026-11-25t06:25:01z", "+2026-11-25T06:25:01Z",
		"2026-11-25T06:25:01+01:00 ", "", "2026-1a-25T06:25:01Z",
	} {
		checkStamp(t, s)
	}
}

func FuzzParseStamp(f *testing.F) {
	f.Add("2026-11-25T06:25:01.250+01:00")
	f.Add("2026-10-25T02:15:00Z")
	f.Fuzz(checkStamp)
}

func checkStamp(t *testing.T, s string) {
	st, ok := parseStamp(s)
	want, err := time.Parse(time.RFC3339, s)
	if ok != (err == nil) {
		t.Fatalf("parseStamp(%q) ok = %v, time.Parse err = %v", s, ok, err)
	}
	if !ok {
		return
	}
	if got := st.time(); !got.Equal(want) {
		t.Fatalf("parseStamp(%q) = %v, time.Parse = %v", s, got, want)
	}
	// The canonical form, with no more than nanoseconds, is written back
	// byte for byte.
	if fast, ok := fastStamp(s); ok && fast == st && fracDigits(s) <= 9 {
		if back := string(st.appendRFC3339(nil)); back != s {
			t.Errorf("parseStamp(%q) writes back %q", s, back)
		}
	}
}

func fracDigits(s string) int {
	if len(s) < 20 || s[19] != '.' {
		return 0
	}
	n := 0
	for n < len(s)-20 && s[20+n] >= '0' && s[20+n] <= '9' {
		n++
	}
	return n
}

// hostileStrings are texts an attacker may choose as a username.
var hostileStrings = []string{
	"", "plain", "info@example.com", `quote"back\slash`, "<script>&amp;</script>",
	"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "é用户\u0301", "\u2028\u2029", "\u202e\u009b\u200b",
	"bad\xffutf8\xc3", "\xed\xa0\x80 surrogate", "emoji 🦊 \U0001F1EB\U0001F1F7",
}

// Whatever the bytes, appendSafe leaves nothing a terminal acts on: no C0
// or C1 control, no format character, no line separator, valid UTF-8.
func TestSafe(t *testing.T) {
	for _, s := range append(hostileStrings, "\\x1b", "a\tb\nc\rd") {
		checkSafe(t, s)
	}
	for in, want := range map[string]string{
		"\x1b[31mred":     `\x1b[31mred`,
		"a\tb\nc\r":       `a\tb\nc\r`,
		`back\slash`:      `back\\slash`,
		"\u202eevil":      `\u202eevil`,
		"\u009b31m":       `\u009b31m`,
		"tag\U000E0041":   `tag\U000e0041`,
		"bad\xff":         `bad\xff`,
		"rené 用户":         "rené 用户",
		"\x00\x7f\u2028z": `\x00\x7f\u2028z`,
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafe(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(checkSafe)
}

func checkSafe(t *testing.T, s string) {
	out := sanitize(s)
	if !utf8.ValidString(out) {
		t.Fatalf("sanitize(%q) = %q: not UTF-8", s, out)
	}
	for _, r := range out {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Fatalf("sanitize(%q) = %q: keeps %U", s, out, r)
		}
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"abc": 3, "rene\u0301": 4, "用户@例子": 9, "": 0, "🦊": 2} {
		if got := term.Width(s); got != want {
			t.Errorf("term.Width(%q) = %d, want %d", s, got, want)
		}
	}
}

// Multi-field keys must not collide whatever the values (a username can
// hold any byte) and must split back into them, long ones included.
func TestKeyRoundTrip(t *testing.T) {
	by, err := parseBy("user,service,note")
	if err != nil {
		t.Fatal(err)
	}
	c := newCounter(config{by: by, outcome: anyOutcome})
	long := strings.Repeat("x", 300)
	seen := map[string][]string{}
	for _, vals := range [][]string{
		{"a", "bc", ""}, {"ab", "c", ""}, {"a\x01b", "", "c"}, {"", "", ""},
		{long, "imap", "n"}, {"imap", long, ""}, {strings.Repeat("y", 127), strings.Repeat("z", 128), long},
		{"\x00", "\x00\x00", "é"},
	} {
		r := &record.Record{User: vals[0], Service: vals[1]}
		if vals[2] != "" {
			raw, _ := json.Marshal(vals[2])
			r.Extra = []record.Field{{Key: "note", Value: raw}}
		}
		key := string(c.appendKey(nil, r))
		if prev, dup := seen[key]; dup {
			t.Errorf("%q and %q make the same key", prev, vals)
		}
		seen[key] = vals
		if got := c.splitKey(nil, key); !slicesEqual(got, vals) {
			t.Errorf("splitKey(appendKey(%q)) = %q", vals, got)
		}
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Counting a record of a group already seen allocates nothing, whatever
// the grouping: memory grows with groups, and time is not spent on the
// garbage collector.
func TestAddAllocs(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	recs := []record.Record{
		{Time: "2026-11-25T06:25:01+01:00", Event: "auth", Outcome: "failure", Reason: "password_mismatch",
			User: "alice", IP: "203.0.113.5", Country: "CN", CountryName: "China", ASN: 4134, ASOrg: "Chinanet", Service: "imap"},
		{Time: "2026-11-25T06:25:02.5+01:00", Event: "auth", Outcome: "failure", Reason: "unknown_user",
			User: "bob", IP: "2001:db8::1", Country: "DE", CountryName: "Germany", ASN: 24940, ASOrg: "Hetzner", Service: "pop3"},
		{Time: "2026-11-25T06:25:03+01:00", Event: "unmatched"},
	}
	for _, by := range []string{"ip", "user", "country", "asn", "net", "hour", "day", "ip,user", "service,reason,country"} {
		fields, err := parseBy(by)
		if err != nil {
			t.Fatal(err)
		}
		c := newCounter(config{by: fields, outcome: "failure", loc: paris, mask4: 24, mask6: 64})
		for i := range recs {
			c.add(&recs[i]) // the groups exist from here on
		}
		allocs := testing.AllocsPerRun(100, func() {
			for i := range recs {
				c.add(&recs[i])
			}
		})
		if allocs != 0 {
			t.Errorf("-by %s: add allocates %v times per round", by, allocs)
		}
	}
}
