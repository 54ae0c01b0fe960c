package report

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/term"
	"github.com/mailcop/mailcop/internal/watch"
)

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"bob@example.com":        "bob@example.com",
		"\x1b[2J\x1b]0;x\x07":    `\x1b[2J\x1b]0;x\x07`,
		"a\r\nb\tc":              `a\r\nb\tc`,
		`back\slash`:             `back\\slash`,
		"\u202eexe.txt":          `\u202eexe.txt`,
		"zero\u200bwidth":        `zero\u200bwidth`,
		"line\u2028sep":          `line\u2028sep`,
		"\xe9t\xe9":              `\xe9t\xe9`,
		"caf\u00e9":              "café",
		"tag\U000E0041":          `tag\U000e0041`,
		"nul\x00del\x7f":         `nul\x00del\x7f`,
		"c1\u0085\u009b[31m":     `c1\u0085\u009b[31m`,
		"日本語":                    "日本語",
		"<script>$(id)</script>": "<script>$(id)</script>",
	} {
		if got := safe(in); got != want {
			t.Errorf("safe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ch…"},
		{"\x1b[2Jabc", 6, `\x1b[…`}, // an escape is not cut in two
		{"\x1b[2Jabc", 4, `…`},
		{"\x1b[2Jabc", 8, `\x1b[2J…`},
		{"日本語日本語", 5, "日本…"},
		{strings.Repeat("e\u0301", 100), 10, strings.Repeat("e\u0301", 9) + "…"},
		{strings.Repeat("\u0301", 1000), 10, ""},
	} {
		got := clip(tt.in, tt.n)
		if tt.want != "" && got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if term.Width(got) > tt.n || len(got) > 8*tt.n+len("…") {
			t.Errorf("clip(%q, %d) = %q: %d cells, %d bytes", tt.in, tt.n, got, term.Width(got), len(got))
		}
	}
}

// FuzzSafe: whatever the input, the output holds nothing a terminal acts
// on, and clip stays within its width.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"bob", "\x1b[2J", "\u202e", "\xff\xfe", "a\\x1b", "\u0301\u0301", "日本"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 1 + (n&0xff)%100
		for _, out := range []string{safe(s), clip(s, n)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q: output %q is not UTF-8", s, out)
			}
			for _, r := range out {
				if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
					t.Fatalf("%q: output %q holds %U", s, out, r)
				}
			}
		}
		if c := clip(s, n); term.Width(c) > n {
			t.Fatalf("clip(%q, %d) = %q, %d cells", s, n, c, term.Width(c))
		}
	})
}

func TestMatcher(t *testing.T) {
	recs := map[string]*record.Record{
		"v4":   {IP: "198.51.100.23", User: "bob@example.com", Country: "NL", CountryName: "Netherlands", ASN: 64501},
		"v4b":  {IP: "198.51.100.230", User: "alice@example.com"},
		"v6":   {IP: "2001:db8:bad:1::66", User: "Admin"},
		"none": {User: "info@example.com"},
	}
	for _, tt := range []struct {
		word string
		want string // the records it matches, in name order
	}{
		{"198.51.100.23", "v4"},        // an address matches itself only
		{"198.51.100.0/24", "v4 v4b"},  // a network, its addresses
		{"198.51.100.2", ""},           // a whole address is not a prefix
		{"198.51.", "v4 v4b"},          // a partial address is
		{"2001:DB8:bad:", "v6"},        // in any case
		{"2001:db8::/32", "v6"},        // IPv6 networks too
		{"example.com", "none v4 v4b"}, // any part of an account
		{"ADMIN", "v6"},                // in any case
		{"nl", "v4"},                   // a country code
		{"netherlands", "v4"},          // or name
		{"AS64501", "v4"},              // an AS
		{"as64501x", ""},               // not an AS, nor anything else
		{"bob@example.com", "v4"},
	} {
		m := newMatcher(tt.word)
		var got []string
		for _, name := range []string{"none", "v4", "v4b", "v6"} {
			if m.ok(recs[name]) {
				got = append(got, name)
			}
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("-match %q matched %q, want %q", tt.word, g, tt.want)
		}
	}
}

// Hostile text through every output: no byte a terminal acts on reaches
// it (but the colours -live asked for, at the ends of lines), no markup
// reaches the HTML, and the attacker's text is there, visibly escaped.
func TestHostileEverywhere(t *testing.T) {
	in := input(t, "hostile")
	for _, args := range [][]string{
		nil, {"-lang", "fr"}, {"-html"}, {"-live"}, {"-live", "-color", "always"}, {"-mail", "-to", "root@localhost"},
		{"-top", "1000"}, {"-live", "-match", "203.0.113."},
	} {
		out, stderr, code := run(args, bytes.NewReader(in))
		if code != 0 {
			t.Errorf("%q: exit %d: %s", args, code, stderr)
			continue
		}
		s := string(out)
		colour := len(args) > 1 && args[1] == "-color"
		for i, line := range strings.Split(s, "\n") {
			if colour {
				line = stripColour(line)
			}
			for _, r := range line {
				if r != '\t' && unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) || r == utf8.RuneError {
					t.Errorf("%q: line %d holds %U: %q", args, i+1, r, line)
					break
				}
			}
		}
		if !strings.Contains(s, `\x1b[2J\x1b]0;pwned\x07`) {
			t.Errorf("%q: the escaped username is missing", args)
		}
		if len(args) > 0 && args[0] == "-html" {
			for _, bad := range []string{"<script", "<img", "</td><script>"} {
				if strings.Contains(s, bad) {
					t.Errorf("-html: output holds %q", bad)
				}
			}
			if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("-html: the escaped <script> username is missing")
			}
		}
	}
}

// stripColour removes the colour codes -live puts at the start and end of
// a line, and fails on any other escape.
func stripColour(line string) string {
	for _, c := range []string{"\x1b[1;31m", "\x1b[33m", "\x1b[32m", "\x1b[36m"} {
		if rest, ok := strings.CutPrefix(line, c); ok {
			return strings.TrimSuffix(rest, colourReset)
		}
	}
	return line
}

// Logins are judged on what came before them, whatever came after, by
// the watch's rules.
func TestClassify(t *testing.T) {
	const (
		fail = `{"time":"2026-11-25T10:%02d:00+00:00","event":"auth","outcome":"failure","reason":"%s","user":"%s","ip":"%s","asn":%d,"pw_hash":"%s","attempts":%d}` + "\n"
		ok   = `{"time":"2026-11-25T10:%02d:00+00:00","event":"auth","outcome":"success","user":"%s","ip":"%s","asn":%d}` + "\n"
	)
	tests := []struct {
		name string
		in   string
		want watch.Class
	}{
		{"clean", fmt.Sprintf(ok, 1, "a", "192.0.2.1", 0), watch.None},
		{"before-not-after", fmt.Sprintf(ok, 1, "a", "192.0.2.1", 0) + fmt.Sprintf(fail, 2, "password_mismatch", "a", "192.0.2.1", 0, "", 5), watch.None},
		{"typo", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 1) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Typo},
		{"typo-other-name", fmt.Sprintf(fail, 1, "unknown_user", "alice", "192.0.2.1", 0, "", 1) + fmt.Sprintf(ok, 2, "alice@example.com", "192.0.2.1", 0), watch.Typo},
		{"brute", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 3) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Brute},
		{"spray", fmt.Sprintf(fail, 1, "unknown_user", "b", "192.0.2.1", 0, "", 2) + fmt.Sprintf(fail, 1, "unknown_user", "c", "192.0.2.1", 0, "", 1) +
			fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Spray},
		{"stale", strings.Repeat(fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "f638ff", 1), 5) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Stale},
		{"not-stale-two-hashes", strings.Repeat(fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "f638ff", 1), 2) +
			fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "0a0a0a", 1) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Brute},
		{"not-stale-unhashed", strings.Repeat(fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "f638ff", 1), 2) +
			fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 1) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Brute},
		{"as", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 64500, "", 4) + fmt.Sprintf(ok, 2, "a", "192.0.2.2", 64500), watch.AS},
		{"as-other-account", fmt.Sprintf(fail, 1, "password_mismatch", "b", "192.0.2.1", 64500, "", 4) + fmt.Sprintf(ok, 2, "a", "198.51.100.2", 64500), watch.None},
		// The /24 attacked another account: rotating addresses.
		{"network", fmt.Sprintf(fail, 1, "password_mismatch", "b", "192.0.2.1", 64500, "", 4) + fmt.Sprintf(ok, 2, "a", "192.0.2.2", 64500), watch.Network},
		// One or two failures from an AS are anybody's typos on that ISP.
		{"as-typo", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 64500, "", 2) + fmt.Sprintf(ok, 2, "a", "198.51.100.2", 64500), watch.Target},
		{"target", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 64500, "", 4) + fmt.Sprintf(ok, 2, "a", "192.0.2.2", 64511), watch.Target},
		// postfix gave up on dovecot: retries during an outage are no guessing.
		{"outage", fmt.Sprintf(fail, 1, "temporary_failure", "a", "192.0.2.1", 64500, "", 6) + fmt.Sprintf(ok, 2, "a", "192.0.2.1", 64500), watch.None},
		{"outage-other-address", fmt.Sprintf(fail, 1, "temporary_failure", "a", "192.0.2.1", 64500, "", 6) + fmt.Sprintf(ok, 2, "a", "192.0.2.2", 64500), watch.None},
		{"outage-then-typo", fmt.Sprintf(fail, 1, "temporary_failure", "a", "192.0.2.1", 0, "", 6) + fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 1) +
			fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Typo},
		{"outage-beside-brute", fmt.Sprintf(fail, 1, "temporary_failure", "a", "192.0.2.1", 0, "", 2) + fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 5) +
			fmt.Sprintf(ok, 2, "a", "192.0.2.1", 0), watch.Brute},
		// ...but after a judged failure of the address (its /64), dovecot's
		// penalty is what made postfix give up: evidence.
		{"penalty", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 1) + fmt.Sprintf(fail, 2, "temporary_failure", "a", "192.0.2.1", 0, "", 5) +
			fmt.Sprintf(ok, 3, "a", "192.0.2.1", 0), watch.Brute},
		{"penalty-v6-net", fmt.Sprintf(fail, 1, "unknown_user", "b", "2001:db8:bad:1::7", 0, "", 1) + fmt.Sprintf(fail, 2, "temporary_failure", "a", "2001:db8:bad:1::99", 0, "", 5) +
			fmt.Sprintf(ok, 3, "a", "2001:db8:bad:1::99", 0), watch.Spray}, // the /64 is one host, which tried b too
		{"penalty-other-v4", fmt.Sprintf(fail, 1, "password_mismatch", "b", "192.0.2.2", 0, "", 1) + fmt.Sprintf(fail, 2, "temporary_failure", "a", "192.0.2.1", 0, "", 5) +
			fmt.Sprintf(ok, 3, "a", "192.0.2.1", 0), watch.None},
		{"penalty-expired", fmt.Sprintf(fail, 1, "password_mismatch", "a", "192.0.2.1", 0, "", 1) + fmt.Sprintf(fail, 40, "temporary_failure", "a", "192.0.2.1", 0, "", 5) +
			fmt.Sprintf(ok, 41, "a", "192.0.2.1", 0), watch.Typo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStats(time.UTC, 10)
			rd := record.NewReader(strings.NewReader(tt.in), tt.name)
			var got watch.Class
			for rd.Scan() {
				if l, ok := s.add(rd.Record()); ok {
					got = l.v.Class()
				}
			}
			if rd.Bad() > 0 {
				t.Fatal("bad test input")
			}
			if got != tt.want {
				t.Errorf("class %v, want %v", got, tt.want)
			}
		})
	}
}

// -live writes each line before it reads the next: a pipeline from
// mailcop-tail -f shows an attempt as soon as it happens.
func TestLiveStreams(t *testing.T) {
	pr, pw := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), []string{"-live"}, pr, outW, io.Discard)
		outW.Close()
	}()
	lines := bufio.NewReader(outR)
	for i, rec := range []string{
		`{"time":"2026-11-25T10:00:00+00:00","event":"auth","outcome":"failure","user":"a","ip":"192.0.2.1"}`,
		`{"time":"2026-11-25T10:00:01+00:00","event":"auth","outcome":"success","user":"a","ip":"192.0.2.1"}`,
	} {
		if _, err := io.WriteString(pw, rec+"\n"); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			l, _ := lines.ReadString('\n')
			got <- l
		}()
		select {
		case l := <-got:
			if !strings.Contains(l, "192.0.2.1") {
				t.Errorf("line %d: %q", i+1, l)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("record %d: no line while the input stays open", i+1)
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The same records in the same order give the same bytes, whatever the
// maps' order: run twice.
func TestDeterministic(t *testing.T) {
	in := input(t, "geo+f2b+as+days")
	for _, args := range [][]string{nil, {"-html"}, {"-top", "1000"}} {
		a, _, _ := run(args, bytes.NewReader(in))
		for range 3 {
			if b, _, _ := run(args, bytes.NewReader(in)); !bytes.Equal(a, b) {
				t.Fatalf("%q: two runs differ", args)
			}
		}
	}
}

// Every flag the usage lists is in the command's documentation, which
// the man page is made from, and the other way round.
func TestFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "cmd", "mailcop-report", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	Run(context.Background(), []string{"-h"}, nil, io.Discard, &stderr)
	flagLine := regexp.MustCompile(`(?m)^  (-[a-z]+) `)
	usageFlags := flagLine.FindAllStringSubmatch(stderr.String(), -1)
	docFlags := regexp.MustCompile(`(?m)^//\t(-[a-z]+) `).FindAllStringSubmatch(string(doc), -1)
	if len(usageFlags) < 10 || len(usageFlags) != len(docFlags) {
		t.Fatalf("usage lists %d flags, doc.go %d", len(usageFlags), len(docFlags))
	}
	for i := range usageFlags {
		if usageFlags[i][1] != docFlags[i][1] {
			t.Errorf("flag %d: usage says %s, doc.go %s", i+1, usageFlags[i][1], docFlags[i][1])
		}
	}
}

// "attempts" comes from the input: two values whose sum passes 2^63 hold
// the totals at the largest count rather than turn them negative.
func TestTotalsSaturate(t *testing.T) {
	const huge = "9223372036854775000"
	var in strings.Builder
	for i, user := range []string{"a@example.com", "a@example.com", "b@example.com"} {
		fmt.Fprintf(&in, `{"time":"2026-11-25T13:0%d:00+00:00","host":"mx1","event":"auth","outcome":"failure","reason":"password_mismatch","user":%q,"ip":"192.0.2.1","country":"NL","asn":64496,"attempts":%s}`+"\n", i, user, huge)
	}
	for _, mode := range []string{"-tz=UTC", "-html", "-live"} {
		out, stderr, code := run([]string{mode}, strings.NewReader(in.String()))
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", mode, code, stderr)
		}
		if neg := regexp.MustCompile(`-[0-9]{6,}`).Find(out); neg != nil {
			t.Errorf("%s: a negative count %s:\n%s", mode, neg, out)
		}
		if mode == "-tz=UTC" && !bytes.Contains(out, []byte("9223372036854775807 failed attempts from 1 address against 2 accounts")) {
			t.Errorf("%s: the total is not held at 2^63-1:\n%s", mode, out)
		}
	}
}

// mailcop-parse -unmatched ends with a coverage record for a host whose
// log cannot show the failures of a session that ends in a login: the
// report (and so the daily mail) says so, and names the settings.
func TestCoverageBlind(t *testing.T) {
	in := `{"time":"2026-11-25T10:00:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"success","user":"joe","ip":"192.0.2.1"}
{"host":"mx1","daemon":"dovecot","event":"coverage","reason":"auth_not_logged"}
{"host":"mx\u001b[31m2","daemon":"dovecot","event":"coverage","reason":"auth_not_logged"}
`
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"Parser coverage", "The log of mx1, mx\\x1b[31m2 has lines of dovecot's login processes", "auth_verbose = yes", "auth_verbose_passwords other than no", "sha1:6"}},
		{[]string{"-lang", "fr"}, []string{"Couverture de l'analyse", "Le journal de mx1, mx\\x1b[31m2", "auth_verbose = yes"}},
		{[]string{"-mail", "-to", "root@example.com"}, []string{"Parser coverage", "auth_verbose = yes", "<p style=\"margin:0 0 6px 0;color:#59636e\">The log of mx1"}},
	} {
		out, errs, code := run(tt.args, strings.NewReader(in))
		if code != 0 || errs != "" {
			t.Fatalf("%q: exit %d, stderr %q", tt.args, code, errs)
		}
		flat := strings.Join(strings.Fields(string(out)), " ") // the text is wrapped
		for _, w := range tt.want {
			if !strings.Contains(flat, w) {
				t.Errorf("%q: output lacks %q:\n%s", tt.args, w, out)
			}
		}
		if bytes.Contains(out, []byte("\x1b")) {
			t.Errorf("%q: an escape reached the output", tt.args)
		}
	}
	// Without coverage records, no such note.
	out, _, _ := run(nil, strings.NewReader(strings.SplitAfter(in, "\n")[0]))
	if strings.Contains(string(out), "auth_verbose") {
		t.Errorf("note without a coverage record:\n%s", out)
	}
}

// A login no line names the account of (postfix's auth=1 of an SMTP
// session that sent no mail) is listed by its address, in both languages.
func TestCompromiseWithoutAccount(t *testing.T) {
	const (
		fail = `{"time":"2026-11-25T10:0%d:00+00:00","event":"auth","outcome":"failure","reason":"password_mismatch","user":"%s","ip":"2001:db8:bad:1::99","attempts":2}` + "\n"
		ok   = `{"time":"2026-11-25T10:05:00+00:00","event":"auth","outcome":"success","service":"smtp","ip":"2001:db8:bad:1::99"}` + "\n"
	)
	in := fmt.Sprintf(fail, 1, "carol@example.test") + fmt.Sprintf(fail, 2, "carol@example.test") + fmt.Sprintf(fail, 3, "dave@example.test") + ok
	for lang, want := range map[string][]string{
		"en": {"Possible compromises", "(not logged)", "the log does not name the account that logged in", "on 2 accounts"},
		"fr": {"(non journalisé)", "le journal ne nomme pas le compte connecté", "sur 2 comptes"},
	} {
		var out bytes.Buffer
		if err := Run(context.Background(), []string{"-lang", lang, "-tz", "UTC"}, strings.NewReader(in), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		_, section, _ := strings.Cut(out.String(), want[0])
		section, _, _ = strings.Cut(section, "\n\n")
		for _, w := range want[1:] {
			if !strings.Contains(section, w) || !strings.Contains(section, "2001:db8:bad:1::99") {
				t.Errorf("%s: the compromise section lacks %q or the address:\n%s", lang, w, out.String())
			}
		}
	}
}

// An office's NAT gathers the colleagues' typos: the owner's login from
// it, a network the account has used for days, is no compromise in the
// summary, as it is none for the watch (own_network).
func TestSummaryOwnNetwork(t *testing.T) {
	const (
		fail = `{"time":"2026-11-25T09:0%d:00Z","event":"auth","outcome":"failure","reason":"password_mismatch","user":"%s","ip":"198.51.100.10","attempts":%d}` + "\n"
		ok   = `{"time":"%s","event":"auth","outcome":"success","user":"alice@example.com","ip":"198.51.100.10","service":"imap"}` + "\n"
	)
	in := fmt.Sprintf(ok, "2026-11-24T09:00:00Z") + fmt.Sprintf(ok, "2026-11-24T17:00:00Z") +
		fmt.Sprintf(fail, 1, "bob@example.com", 2) + fmt.Sprintf(fail, 2, "carol@example.com", 1) + fmt.Sprintf(fail, 3, "dave@example.com", 1) +
		fmt.Sprintf(ok, "2026-11-25T09:05:00Z")
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), []string{"-tz", "UTC"}, strings.NewReader(in), &stdout, &stderr); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, english.secCompromise) || !strings.Contains(out, english.secOwner) ||
		!strings.Contains(out, "a network this account has used since 2026-11-24: a shared address") {
		t.Errorf("the office's login is not a slip of the owner's:\n%s", out)
	}
}
