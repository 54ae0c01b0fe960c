package loggen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func generate(t *testing.T, cfg Config) ([]byte, *Truth) {
	t.Helper()
	var buf bytes.Buffer
	truth, err := Generate(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), truth
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Config{Size: 512 << 10, Seed: 7}
	a, ta := generate(t, cfg)
	b, tb := generate(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	var ja, jb bytes.Buffer
	if err := ta.WriteJSON(&ja); err != nil {
		t.Fatal(err)
	}
	if err := tb.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ja.Bytes(), jb.Bytes()) {
		t.Fatal("two runs with one seed give different truths")
	}
	cfg.Seed = 8
	if c, _ := generate(t, cfg); bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 give the same log")
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for _, size := range []int64{0, 1, 100 << 10, 3 << 20} {
		out, truth := generate(t, Config{Size: size, Seed: 1})
		n := int64(len(out))
		if n < size || n > size+16<<10 {
			t.Errorf("size %d: wrote %d bytes, want at least %d and less than 16 KiB more", size, n, size)
		}
		if truth.Bytes != n {
			t.Errorf("size %d: truth says %d bytes, wrote %d", size, truth.Bytes, n)
		}
		if lines := int64(bytes.Count(out, []byte("\n"))); truth.Lines != lines {
			t.Errorf("size %d: truth says %d lines, wrote %d", size, truth.Lines, lines)
		}
		if n > 0 && out[n-1] != '\n' {
			t.Errorf("size %d: last line not terminated", size)
		}
	}
}

func TestAttackShare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want float64
	}{
		{Config{}, DefaultAttack},
		{Config{Attack: 0.08}, 0.08},
		{Config{Attack: 0.3}, 0.3},
		{Config{Attack: 1}, 1},
		{Config{NoAttacks: true}, 0},
	} {
		tc.cfg.Size, tc.cfg.Seed = 4<<20, 3
		_, truth := generate(t, tc.cfg)
		got := float64(truth.AttackLines) / float64(truth.Lines)
		if got < tc.want-0.01 || got > tc.want+0.01 {
			t.Errorf("attack %v: %d of %d lines (%.4f) are attack lines", tc.want, truth.AttackLines, truth.Lines, got)
		}
		if tc.want == 0 && truth.Failures != 0 {
			t.Errorf("no attacks, yet %d failures", truth.Failures)
		}
		if tc.want > 0 && truth.Failures == 0 {
			t.Errorf("attack %v: no failures", tc.want)
		}
	}
}

// count recounts a log by the corpus rule with plain string matching,
// independent of the generator's bookkeeping: dovecot summaries carry
// their session's attempts; a session with auth lines and no summary (a
// failure, then a login) counts its attempts, one per second of lines;
// postfix's disconnect carries auth=S/T, less refusals of an unknown
// mechanism; a plaintext refusal is one attempt.
type count struct {
	failures  map[string]int64
	successes map[string]int64
	summaries map[string]summary  // by session id
	authSecs  map[string][]string // session id → distinct stamps of its auth lines
	authIP    map[string]string   // session id → ip its auth lines name
	badMech   map[string]int      // "proc[pid]" → mechanism refusals on the open connection
}

type summary struct {
	ip string
	n  int
}

func recount(t *testing.T, log []byte, prefixLen int) *count {
	t.Helper()
	c := &count{
		failures:  map[string]int64{},
		successes: map[string]int64{},
		summaries: map[string]summary{},
		authSecs:  map[string][]string{},
		authIP:    map[string]string{},
		badMech:   map[string]int{},
	}
	sc := bufio.NewScanner(bytes.NewReader(log))
	for sc.Scan() {
		line := sc.Text()
		stamp := line[:15]
		msg := line[prefixLen:]
		proc, rest, _ := strings.Cut(msg, ": ")
		switch {
		case strings.Contains(rest, "(auth failed, "):
			n := atoiAfter(t, rest, "(auth failed, ", " attempts")
			ip := field(rest[strings.LastIndex(rest, "rip="):], "rip=", ",")
			c.failures[ip] += int64(n)
			if s := field(rest, ", session=<", ">"); s != "" {
				c.summaries[s] = summary{ip, n}
			}
		case strings.Contains(rest, "plaintext auth)"):
			c.failures[field(rest[strings.LastIndex(rest, "rip="):], "rip=", ",")]++
		case strings.Contains(rest, "-login: Login: user="):
			c.successes[field(rest[strings.LastIndex(rest, "rip="):], "rip=", ",")]++
		case strings.Contains(rest, ": client=") && strings.Contains(rest, ", sasl_username="):
			c.successes[field(rest, "[", "]")]++
		case strings.HasSuffix(rest, "authentication failed: Invalid authentication mechanism"):
			c.badMech[proc]++
		case strings.HasPrefix(rest, "disconnect from ") && strings.Contains(rest, " auth=0/"):
			total := atoiAfter(t, rest, " auth=0/", " ")
			c.failures[field(rest, "[", "]")] += int64(total - c.badMech[proc])
			delete(c.badMech, proc)
		case strings.Contains(proc, "auth(") && strings.Contains(proc, ",sasl:"):
			// dovecot 2.4: the id sits in the tag, auth(user,ip,sasl:m)<session>
			s := field(proc, ")<", ">")
			ip := proc[:strings.Index(proc, ",sasl:")]
			c.authLine(s, ip[strings.LastIndexByte(ip, ',')+1:], stamp)
		case strings.Contains(rest, ",<") && (strings.Contains(rest, "Password mismatch") || strings.Contains(rest, "unknown user")):
			i := strings.Index(rest, ",<")
			ip := rest[:i]
			c.authLine(field(rest[i:], ",<", ">)"), ip[strings.LastIndexByte(ip, ',')+1:], stamp)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Sessions whose login succeeded have auth lines and no summary.
	for s, secs := range c.authSecs {
		if _, ok := c.summaries[s]; !ok {
			c.failures[c.authIP[s]] += int64(len(secs))
		}
	}
	return c
}

func (c *count) authLine(session, ip, stamp string) {
	secs := c.authSecs[session]
	if len(secs) == 0 || secs[len(secs)-1] != stamp {
		c.authSecs[session] = append(secs, stamp)
	}
	c.authIP[session] = ip
}

func field(s, after, before string) string {
	_, s, ok := strings.Cut(s, after)
	if !ok {
		return ""
	}
	if i := strings.Index(s, before); i >= 0 {
		return s[:i]
	}
	return s
}

func atoiAfter(t *testing.T, s, after, before string) int {
	t.Helper()
	n, err := strconv.Atoi(field(s, after, before))
	if err != nil {
		t.Fatalf("no number after %q in %q", after, s)
	}
	return n
}

func TestTruthMatchesLines(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		cfg := Config{Size: 6 << 20, Seed: seed, Attack: 0.2}
		log, truth := generate(t, cfg)
		c := recount(t, log, len("Nov 25 00:00:00 mx1 "))
		if truth.Failures < 1000 {
			t.Fatalf("seed %d: only %d failures; the test would prove little", seed, truth.Failures)
		}
		nonzero := maps.Clone(c.failures)
		maps.DeleteFunc(nonzero, func(_ string, n int64) bool { return n == 0 })
		if !maps.Equal(nonzero, truth.FailuresByIP) {
			diffCounts(t, "failures", nonzero, truth.FailuresByIP)
		}
		if !maps.Equal(c.successes, truth.SuccessesByIP) {
			diffCounts(t, "successes", c.successes, truth.SuccessesByIP)
		}
		var sum int64
		for _, n := range truth.FailuresByIP {
			sum += n
		}
		if sum != truth.Failures {
			t.Errorf("seed %d: failures by ip add up to %d, total says %d", seed, sum, truth.Failures)
		}
		// Auth lines agree with their summary: same address, one second
		// of lines per attempt.
		verbose := 0
		for s, secs := range c.authSecs {
			sum, ok := c.summaries[s]
			if !ok {
				continue
			}
			verbose++
			if sum.n != len(secs) || sum.ip != c.authIP[s] {
				t.Errorf("seed %d: session %s: summary says %d attempts from %s; auth lines: %d seconds from %s",
					seed, s, sum.n, sum.ip, len(secs), c.authIP[s])
			}
		}
		if verbose < 50 {
			t.Errorf("seed %d: only %d sessions with auth_verbose lines", seed, verbose)
		}
		if len(truth.SuccessAfterFailure) == 0 {
			t.Errorf("seed %d: nobody got in after failing", seed)
		}
	}
}

// TestSessionlessUnambiguous checks that every auth line without a session
// id can be tied to its attempt by address and time alone, as the corpus
// rule does: its candidate twins (postfix SASL warnings of the address
// within 3 s, or login summaries of the address and user that have no auth
// lines of their own, less than 12 s later) all belong to one connection.
// 12 s: an address's next attack starts pairWindow after its last line,
// so its summary comes at least 12.2 s later (whole-second stamps: 12 s).
func TestSessionlessUnambiguous(t *testing.T) {
	t.Parallel()
	log, _ := generate(t, Config{Size: 8 << 20, Seed: 11, Attack: 0.3})
	type line struct {
		at               time.Time
		ip, user, origin string
	}
	var lone, warns, sums []line
	withLines := map[string]bool{} // sessions that have auth lines
	for _, l := range strings.Split(strings.TrimSuffix(string(log), "\n"), "\n") {
		at, err := time.Parse("Jan _2 15:04:05", l[:15])
		if err != nil {
			t.Fatal(err)
		}
		msg := l[len("Nov 25 00:00:00 mx1 "):]
		proc, rest, _ := strings.Cut(msg, ": ")
		switch {
		case strings.Contains(rest, "SASL ") && strings.Contains(rest, " authentication failed: ") &&
			!strings.HasSuffix(rest, "Invalid authentication mechanism"):
			warns = append(warns, line{at, field(rest, "[", "]"), "", proc})
		case strings.Contains(rest, "(auth failed, "):
			s := field(rest, ", session=<", ">")
			sums = append(sums, line{at, field(rest[strings.LastIndex(rest, "rip="):], "rip=", ","), field(rest, "user=<", ">, method="), s})
		case strings.HasSuffix(rest, "): unknown user") || strings.HasSuffix(rest, "): Password mismatch") ||
			strings.HasSuffix(rest, "(password mismatch?)"):
			id := rest[strings.Index(rest, "(")+1 : strings.LastIndex(rest, "): ")]
			if s := field(id, ",<", ">"); s != "" {
				withLines[s] = true
				continue
			}
			i := strings.LastIndexByte(id, ',')
			lone = append(lone, line{at, id[i+1:], id[:i], ""})
		case strings.Contains(proc, ",sasl:"):
			withLines[field(proc, ")<", ">")] = true
		}
	}
	if len(lone) < 100 {
		t.Fatalf("only %d auth lines without session id", len(lone))
	}
	for _, l := range lone {
		origins := map[string]bool{}
		for _, w := range warns {
			if d := w.at.Sub(l.at); w.ip == l.ip && d >= -3*time.Second && d <= 3*time.Second {
				origins["postfix "+w.origin] = true
			}
		}
		for i, s := range sums {
			if d := s.at.Sub(l.at); s.ip == l.ip && s.user == l.user && d >= 0 && d < 12*time.Second && !withLines[s.origin] {
				origins["summary "+strconv.Itoa(i)] = true
			}
		}
		if len(origins) > 1 {
			t.Errorf("%s %s(%s): %d candidate connections: %v", l.at.Format(time.TimeOnly), l.ip, l.user, len(origins), slices.Sorted(maps.Keys(origins)))
		}
	}
}

func diffCounts(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	shown := 0
	for k, w := range want {
		if got[k] != w && shown < 10 {
			t.Errorf("%s of %s: lines say %d, truth %d", what, k, got[k], w)
			shown++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && shown < 10 {
			t.Errorf("%s of %s: lines say %d, truth has none", what, k, g)
			shown++
		}
	}
}

// TestShapes checks that a modest log holds every shape the parser must
// meet, so that tests built on it exercise them all.
func TestShapes(t *testing.T) {
	t.Parallel()
	log, _ := generate(t, Config{Size: 4 << 20, Seed: 5, Attack: 0.3})
	for _, shape := range []string{
		"-login: Disconnected (auth failed, ",
		"-login: Aborted login (auth failed, ",
		"-login: Disconnected: Inactivity (auth failed, ",
		" attempts): user=<",
		") (auth_failed): user=<",
		",sasl:plain)<",
		"): Password mismatch",
		"): unknown user",
		"(SHA1 of given password: ",
		"): pam_authenticate() failed: Authentication failure (password mismatch?)",
		": conn unix:auth-worker (pid=",
		"(tried to use disallowed plaintext auth)",
		"(no auth attempts in ",
		"(no_auth_attempts)",
		"(tls_handshake_not_finished)",
		"(client didn't finish SASL auth",
		"SASL LOGIN authentication failed: UGFzc3dvcmQ6",
		"SASL PLAIN authentication failed: ",
		"(reason unavailable), sasl_username=",
		"Invalid authentication mechanism",
		"lost connection after AUTH from ",
		" auth=0/1 quit=1 commands=2/3",
		"SSL_accept error from ",
		"PREGREET ",
		"-login: Login: user=<",
		", sasl_method=PLAIN, sasl_username=",
		"Disconnected: Logged out in=",
		"status=sent",
		"saved mail to INBOX",
		"rip=2001:db8:",
		"rip=192.0.2.",
	} {
		if !bytes.Contains(log, []byte(shape)) {
			t.Errorf("no line contains %q", shape)
		}
	}
	hostile := 0
	for _, name := range hostileNames {
		if bytes.Contains(log, []byte(name)) {
			hostile++
		}
	}
	if hostile < len(hostileNames)/2 {
		t.Errorf("only %d of the hostile usernames appear", hostile)
	}
	if bytes.ContainsFunc(log, func(r rune) bool { return r < ' ' && r != '\n' || r == 0x7f }) {
		t.Error("log holds control characters")
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("", 3600)
	start := time.Date(2026, 11, 25, 6, 0, 0, 0, zone)
	for _, tc := range []struct {
		format Format
		layout string
		first  string
	}{
		{Syslog, "Jan _2 15:04:05", "Nov 25 06:00:00 mx9 "},
		{RFC3339, "2006-01-02T15:04:05.000000-07:00", "2026-11-25T06:00:00.000000+01:00 mx9 "},
	} {
		log, _ := generate(t, Config{Size: 256 << 10, Seed: 1, Format: tc.format, Start: start, Host: "mx9"})
		if !bytes.HasPrefix(log, []byte(tc.first)) {
			t.Errorf("format %d: log starts %q, want %q", tc.format, log[:len(tc.first)], tc.first)
		}
		var last time.Time
		for i, line := range strings.Split(strings.TrimSuffix(string(log), "\n"), "\n") {
			stamp, _, _ := strings.Cut(line, " mx9 ")
			ts, err := time.Parse(tc.layout, stamp)
			if err != nil {
				t.Fatalf("format %d, line %d: %v", tc.format, i+1, err)
			}
			if i > 0 && ts.Before(last) {
				t.Fatalf("format %d, line %d: time goes back: %q", tc.format, i+1, line)
			}
			last = ts
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"0": 0, "512": 512, "64K": 64 << 10, "16M": 16 << 20, "1G": 1 << 30, "1GiB": 1 << 30, "2gb": 2 << 30, "1T": 1 << 40,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "G", "-1", "1.5G", "12X", "99999999999T"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, truthFile := filepath.Join(dir, "mail.log"), filepath.Join(dir, "truth.json")
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"-size", "64K", "-seed", "4", "-o", out, "-truth", truthFile}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, stderr.String())
	}
	log, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, truth := generate(t, Config{Size: 64 << 10, Seed: 4})
	if !bytes.Equal(log, want) {
		t.Error("-o file differs from Generate's output")
	}
	var wantJSON bytes.Buffer
	if err := truth.WriteJSON(&wantJSON); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(truthFile); !bytes.Equal(got, wantJSON.Bytes()) {
		t.Error("-truth file differs from Generate's truth")
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("stdout %q, stderr %q; want both empty", stdout.String(), stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files left in the output directory, want 2", len(entries))
	}

	stdout.Reset()
	if err := Run(context.Background(), []string{"-size", "8K", "-format", "rfc3339"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stdout.Bytes(), []byte("2026-11-25T00:00:00.000000+00:00 mx1 ")) {
		t.Errorf("stdout starts %q", stdout.Bytes()[:40])
	}

	for _, args := range [][]string{{"-size", "lots"}, {"-format", "json"}, {"-attack", "2"}, {"-start", "yesterday"}, {"extra"}} {
		err := Run(context.Background(), args, nil, io.Discard, io.Discard)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			t.Errorf("Run %q: err %v, want a usage error", args, err)
		}
	}
	stderr.Reset()
	if err := Run(context.Background(), []string{"-h"}, nil, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(stderr.String(), "Example:") {
		t.Errorf("-h printed %q", stderr.String())
	}
}

var sinkTruth *Truth

func BenchmarkGenerate(b *testing.B) {
	const size = 16 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		truth, err := Generate(io.Discard, Config{Size: size, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		sinkTruth = truth
	}
}
