package report

import (
	"bufio"
	"bytes"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/record"
)

// f2bLine is what etc/fail2ban/filter.d/mailcop.conf expects: the stamp,
// then the address, then mailcop's own words.
var f2bLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d mailcop: failed attempt from ([0-9a-f.:]+) service=[a-z0-9_.-]+ reason=[a-z0-9_.-]+$`)

// On the sample day every failed attempt is one line, weighted records
// as many lines as they stand for, and each line names the record's
// address right after its stamp.
func TestFail2banWeighs(t *testing.T) {
	in := input(t, "sample")
	want := map[string]int{}
	total := 0
	rd := record.NewReader(bytes.NewReader(in), "sample.in")
	for rd.Scan() {
		r := rd.Record()
		if r.Event != "auth" || r.Outcome != "failure" || r.IP == "" {
			continue
		}
		want[r.IP] += max(r.Attempts, 1)
		total += max(r.Attempts, 1)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := run([]string{"-fail2ban"}, bytes.NewReader(in))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got := map[string]int{}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		lines++
		m := f2bLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("line %d does not match the filter's shape: %q", lines, sc.Text())
		}
		got[m[1]]++
	}
	if lines != total || lines < 50 {
		t.Errorf("%d lines, want %d (the failed attempts of the sample)", lines, total)
	}
	for ip, n := range want {
		if got[ip] != n {
			t.Errorf("%s: %d lines, want %d", ip, got[ip], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d addresses written, want %d", len(got), len(want))
	}
}

// No text of the record but its address reaches a line, and an address
// that does not parse is no line at all: whatever a user name, service or
// reason holds, the filter can only find the address mailcop parsed.
func TestFail2banHostile(t *testing.T) {
	out, stderr, code := run([]string{"-fail2ban"}, bytes.NewReader(input(t, "fail2ban")))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := []string{
		"45.155.205.233", "45.155.205.233", "45.155.205.233", // attempts 3
		"198.51.100.7", // unmapped
		"2001:db8::66", // canonical
		"203.0.113.5", "203.0.113.5",
		"fe80::1", // zone dropped
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		m := f2bLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q does not match the filter's shape", l)
		}
		if _, err := netip.ParseAddr(m[1]); err != nil {
			t.Errorf("line %q: %v", l, err)
		}
		if strings.Contains(l, "192.0.2.") || strings.Contains(l, "203.0.113.99") {
			t.Errorf("line %q holds an address from the record's text", l)
		}
		got = append(got, m[1])
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("addresses\n%v\nwant\n%v", got, want)
	}
	if !strings.Contains(stderr, "warning: 3 failed attempts without a valid address or time not written") {
		t.Errorf("stderr %q: want the 3 unusable records counted", stderr)
	}
}

// A record claiming more attempts than any daemon allows writes a bounded
// number of lines.
func TestFail2banWeightBounded(t *testing.T) {
	in := `{"time":"2026-11-25T01:12:04+00:00","event":"auth","outcome":"failure","ip":"192.0.2.1","attempts":2000000000}` + "\n"
	out, _, code := run([]string{"-fail2ban"}, strings.NewReader(in))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := bytes.Count(out, []byte("\n")); n != maxFail2banWeight {
		t.Errorf("%d lines, want %d", n, maxFail2banWeight)
	}
}
