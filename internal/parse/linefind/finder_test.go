package linefind

import (
	"bytes"
	"strings"
	"testing"
)

// words are mailcop-parse's: the finder's hard cases (pairs of words
// sharing bytes, '"' and '-' among them) come from them.
var words = []string{"auth", "-login", "sasl_", "NOTICE", "WARNING", `MESSAGE"`}

var finderLines = []string{
	"Nov 25 06:25:01 mx1 postfix/qmgr[12]: 4F1A: removed",
	"Nov 25 06:25:02 mx1 dovecot: auth: sql(a,1.2.3.4): unknown user",
	"hhhhhhhhhhhhhhhhhhhhhhhhhhhh no needle here",
	"Nov 25 06:25:03 mx1 dovecot: imap-login: Login: user=<a>",
	"Nov 25 06:25:04 mx1 postfix/smtpd[9]: 4F1A: client=x[1.2.3.4], sasl_method=PLAIN, sasl_username=a",
	"2026-11-25 10:24:51,123 fail2ban.actions [812]: NOTICE [dovecot] Ban 1.2.3.4",
	"2026-11-25 10:24:51,123 fail2ban.actions [812]: NOTICE [dovecot] Unban 1.2.3.4",
	"aut", "uth", "-logi", "sasl", "NOTIC", "WARNIN",
	`{"MESSAGE":[97,117,116,104]}`,
}

// finderModes are the ways of finding this CPU has: the pivot groups
// everywhere, probe256 with AVX2.
type finderMode struct {
	name    string
	probing bool
}

func finderModes() []finderMode {
	modes := []finderMode{{name: "pivots"}}
	if haveProbe {
		modes = append(modes, finderMode{name: "probe256", probing: true})
	}
	return modes
}

// The finder must find every line that holds a needle, whatever bytes it
// picked as pivots, in every mode, and only those.
func TestFinder(t *testing.T) {
	want := map[int]bool{1: true, 3: true, 4: true, 5: true, 6: true, 13: true}
	data := []byte(strings.Join(finderLines, "\n") + "\n")
	for _, sample := range [][]byte{nil, data, bytes.Repeat([]byte("h-_IW\""), 100)} {
		for _, mode := range finderModes() {
			got := foundLines(t, data, sample, mode)
			for i := range finderLines {
				if got[i] != want[i] {
					t.Errorf("tuned on %d bytes, %s: line %d (%q): found %v, want %v", len(sample), mode.name, i, finderLines[i], got[i], want[i])
				}
			}
		}
	}
}

// foundLines returns the numbers of the lines of data in which the finder,
// tuned on sample, finds a needle, going through data as a worker does.
// With probe it also checks the finder's count of newlines.
func foundLines(t *testing.T, data, sample []byte, mode finderMode) map[int]bool {
	f := New(words...)
	f.tune(sample)
	f.probing = mode.probing
	got := map[int]bool{}
	read := eachHit(f, data, func(hit int) { got[bytes.Count(data[:hit], []byte{'\n'})] = true })
	if want := bytes.Count(data, []byte{'\n'}); f.probing && f.newlines+read != want {
		t.Errorf("%s counted %d newlines, want %d", mode.name, f.newlines+read, want)
	}
	return got
}

// eachHit goes through a block as a worker does: it calls hit with each
// position First returns and skips the rest of its line. It returns the
// newlines of the lines so read.
func eachHit(f *Finder, data []byte, hit func(int)) (read int) {
	f.Start()
	for pos := 0; pos < len(data); {
		at := f.First(data, pos)
		if at == len(data) {
			break
		}
		hit(at)
		end := bytes.IndexByte(data[at:], '\n')
		if end < 0 {
			break
		}
		read++
		pos = at + end + 1
	}
	return read
}

// FuzzFinder checks every way of finding against bytes.Contains, line by
// line: probe's windows, its tail and the pivot groups must agree on any
// input and tuning.
func FuzzFinder(f *testing.F) {
	f.Add(strings.Join(finderLines, "\n"), "")
	f.Add(strings.Repeat("x", 40)+"auth", "hhhh")
	f.Add("sasl_"+strings.Repeat("\n", 33)+`"MESSAGE":[`, "auth")
	f.Add(strings.Repeat("a\n", 40)+"-login"+strings.Repeat("\n", 70)+"NOTICE", "")
	f.Fuzz(func(t *testing.T, text, sample string) {
		data := []byte(text)
		lines := bytes.Split(data, []byte{'\n'})
		for _, mode := range finderModes() {
			got := foundLines(t, data, []byte(sample), mode)
			for i, line := range lines {
				want := false
				for _, w := range words {
					want = want || bytes.Contains(line, []byte(w))
				}
				if got[i] != want {
					t.Errorf("%s: line %d (%q): found %v, want %v", mode.name, i, line, got[i], want)
				}
			}
		}
	})
}

// Each word's pair is the one its lookalikes in the input do not share:
// "-signature" and "-digest" hold "-login"'s '-' and 'g' 3 apart, LOGIN
// holds NOTICE's 'O' and 'I' 2 apart. On such input no chosen pair may
// occur at all, or probe would stop at every lookalike.
func TestFinderPairs(t *testing.T) {
	sample := []byte(strings.Repeat("key-exchange X25519 server-signature RSA-PSS server-digest SHA256 method=LOGIN, rip=1 xmail_box \"x\":\"y\"\n", 50))
	f := New(words...)
	f.tune(sample)
	for k, w := range words {
		first, second, dist := f.table.first[k][0], f.table.second[k][0], f.table.dist[k]
		if w[f.at[k]] != first || w[f.at[k]+dist] != second {
			t.Errorf("%q: pair %q %q %d apart is not the word's", w, first, second, dist)
		}
		for x := 0; x+dist < len(sample); x++ {
			if sample[x] == first && sample[x+dist] == second {
				t.Errorf("%q: pair %q %q %d apart occurs at %d: %q", w, first, second, dist, x, sample[x:x+dist+1])
				break
			}
		}
	}
}
