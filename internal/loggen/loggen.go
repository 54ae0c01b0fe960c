// Package loggen writes a synthetic, deterministic mail log of a busy
// postfix + dovecot server under password attack, and knows the truth about
// it: how many failed authentication attempts each address made, counted by
// the rule of the labeled corpus (an attempt counts once, however many lines
// report it). Benchmarks use it for volume; tests use the truth to check
// mailcop-parse.
//
// The log mixes ordinary traffic (postscreen, smtpd, cleanup, qmgr, lmtp and
// smtp deliveries, authenticated submissions, IMAP and POP3 sessions) with
// attacks in every shape the parser must know: dovecot 2.2/2.3/2.4 login
// summaries with and without auth_verbose lines, PAM, plaintext refused,
// postfix SASL failures with and without dovecot's twin line, and lookalike
// noise that is not an attempt. One log holds shapes of several dovecot
// versions at once, which no single real server does: the point is coverage.
//
// Sessions overlap in time as on a real server: every event schedules its
// lines ahead and a heap merges them in time order, so the lines of one
// attack interleave with other traffic. One address runs one attack at a
// time, though (see pairWindow), so that lines without session ids still
// pair up unambiguously and the truth can be recovered from the log.
package loggen

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Format is the line prefix style.
type Format int

const (
	// Syslog is classic BSD syslog: "Nov 25 06:25:01 mx1 prog[pid]: ".
	Syslog Format = iota
	// RFC3339 is rsyslog's high-precision stamp, Debian 13's default:
	// "2026-11-25T06:25:01.123456+00:00 mx1 prog[pid]: ".
	RFC3339
)

// Config says what to generate. The zero value of a field takes the
// default noted beside it.
type Config struct {
	Size   int64     // stop starting events once this many bytes are committed; the log ends at the first whole session past it
	Seed   uint64    // same seed, same config: same bytes
	Format Format    // line prefix
	Start  time.Time // time of the first event; default 2026-11-25T00:00:00Z
	Attack float64   // share of lines that come from attack traffic (0..1); see NoAttacks
	Host   string    // syslog host; default "mx1"
	Rate   float64   // mean lines per second of log time; default 85 (1 GiB spans about a day)

	// NoAttacks makes Attack = 0 mean no attack traffic; otherwise a zero
	// Attack means the default 0.08.
	NoAttacks bool
}

// DefaultAttack is the share of attack lines when Config.Attack is zero.
const DefaultAttack = 0.08

// Truth is what the generated log contains, counted while it was written.
type Truth struct {
	Lines       int64 `json:"lines"`
	AttackLines int64 `json:"attack_lines"` // lines of attack traffic, including lookalike noise
	Bytes       int64 `json:"bytes"`
	Failures    int64 `json:"failures"`  // failed authentication attempts, each counted once
	Successes   int64 `json:"successes"` // successful logins (dovecot Login, postfix sasl_username)

	FailuresByIP  map[string]int64 `json:"failures_by_ip"`
	SuccessesByIP map[string]int64 `json:"successes_by_ip"`
	// SuccessAfterFailure counts, per address, successful logins logged
	// after a line that showed a failure from that address: the "did
	// anybody get in" question.
	SuccessAfterFailure map[string]int64 `json:"success_after_failure"`
}

// WriteJSON writes t as one indented JSON object; map keys come sorted,
// so equal truths give equal bytes.
func (t *Truth) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Generate writes a log as cfg says to w and returns what it holds.
func Generate(w io.Writer, cfg Config) (*Truth, error) {
	if cfg.Attack < 0 || cfg.Attack > 1 {
		return nil, fmt.Errorf("attack share %v is not between 0 and 1", cfg.Attack)
	}
	if cfg.Size < 0 {
		return nil, errors.New("negative size")
	}
	if cfg.Attack == 0 && !cfg.NoAttacks {
		cfg.Attack = DefaultAttack
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Host == "" {
		cfg.Host = "mx1"
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 85
	}
	g := newGen(cfg)
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := g.run(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return g.truth, nil
}

// pending is one scheduled line. What it proves for the truth is applied
// when it is written, so the truth follows the log's own order.
type pending struct {
	at     int64 // µs since Config.Start
	seq    uint64
	body   []byte // the line after the "stamp host " prefix, without newline
	ip     string // client address the truth fields below are about
	fails  int32  // attempts this line settles (the session's summary carries them)
	failed bool   // the line is evidence of a failure from ip
	login  bool   // the line is a successful login from ip
	attack bool
}

// lineHeap is a min-heap on (at, seq): seq keeps the lines of one event in
// the order it scheduled them when their times tie.
type lineHeap []pending

func (h lineHeap) less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}

func (h *lineHeap) push(p pending) {
	*h = append(*h, p)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s.less(i, parent) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *lineHeap) pop() pending {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = pending{}
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// stamper formats line prefixes, reformatting the calendar part only when
// the second changes: at ~100 lines per second that is the hot path saved.
type stamper struct {
	format    Format
	start     time.Time
	host      string
	sec       int64
	head      []byte // syslog: whole prefix; RFC3339: up to the seconds
	tail      []byte // RFC3339: zone offset, host, space
	prefixLen int
}

func newStamper(f Format, start time.Time, host string) *stamper {
	s := &stamper{format: f, start: start.Truncate(time.Second), host: host, sec: -1}
	s.prefixLen = len(s.append(nil, 0))
	return s
}

func (s *stamper) append(b []byte, us int64) []byte {
	sec := us / 1e6
	if sec != s.sec {
		s.sec = sec
		t := s.start.Add(time.Duration(sec) * time.Second)
		switch s.format {
		case RFC3339:
			s.head = t.AppendFormat(s.head[:0], "2006-01-02T15:04:05.")
			s.tail = t.AppendFormat(s.tail[:0], "-07:00 ")
			s.tail = append(s.tail, s.host...)
			s.tail = append(s.tail, ' ')
		default:
			s.head = t.AppendFormat(s.head[:0], "Jan _2 15:04:05 ")
			s.head = append(s.head, s.host...)
			s.head = append(s.head, ' ')
		}
	}
	b = append(b, s.head...)
	if s.format == RFC3339 {
		frac := us%1e6 + 1e6 // leading 1 keeps the zeros; dropped below
		var d [7]byte
		strconv.AppendInt(d[:0], frac, 10)
		b = append(b, d[1:]...)
		b = append(b, s.tail...)
	}
	return b
}

// gen holds the state of one generation.
type gen struct {
	cfg   Config
	rng   *rand.Rand
	heap  lineHeap
	seq   uint64
	free  [][]byte
	stamp *stamper
	truth *Truth

	committed int64 // bytes written plus bytes scheduled
	attack    bool  // category of the event being built
	eventEnd  int64 // time of the latest line of the event being built

	// running line counts per category, to steer the attack share
	normLines, normEvents, attLines, attEvents int64
	// failSeen marks addresses whose failure has been written
	failSeen map[string]bool

	w *world
}

func newGen(cfg Config) *gen {
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x6d61696c636f70)) // "mailcop"
	g := &gen{
		cfg:      cfg,
		rng:      rng,
		stamp:    newStamper(cfg.Format, cfg.Start, cfg.Host),
		failSeen: make(map[string]bool),
		truth: &Truth{
			FailuresByIP:        make(map[string]int64),
			SuccessesByIP:       make(map[string]int64),
			SuccessAfterFailure: make(map[string]int64),
		},
	}
	g.w = newWorld(rng)
	return g
}

// buf returns an empty line buffer, reused from written lines.
func (g *gen) buf() []byte {
	if n := len(g.free); n > 0 {
		b := g.free[n-1]
		g.free = g.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, 256)
}

// line schedules body at time at. mark carries what the line proves for
// the truth (ip, fails, failed, login); its other fields are filled here.
func (g *gen) line(at int64, body []byte, mark pending) {
	g.seq++
	g.committed += int64(g.stamp.prefixLen + len(body) + 1)
	if g.attack {
		g.attLines++
	} else {
		g.normLines++
	}
	mark.at, mark.seq, mark.body, mark.attack = at, g.seq, body, g.attack
	g.heap.push(mark)
	g.eventEnd = max(g.eventEnd, at)
}

// plain schedules a line that proves nothing.
func (g *gen) plain(at int64, body []byte) { g.line(at, body, pending{}) }

func (g *gen) run(bw *bufio.Writer) error {
	var next int64 // start of the next event, µs
	stopping := g.cfg.Size == 0
	out := make([]byte, 0, 1024)
	for {
		if !stopping && (len(g.heap) == 0 || next <= g.heap[0].at) {
			g.event(next)
			next += g.gap()
			stopping = g.committed >= g.cfg.Size
			continue
		}
		if len(g.heap) == 0 {
			return nil
		}
		p := g.heap.pop()
		out = g.stamp.append(out[:0], p.at)
		out = append(out, p.body...)
		out = append(out, '\n')
		if _, err := bw.Write(out); err != nil {
			return err
		}
		g.account(&p, len(out))
		g.free = append(g.free, p.body)
	}
}

// account applies a written line to the truth.
func (g *gen) account(p *pending, n int) {
	t := g.truth
	t.Lines++
	t.Bytes += int64(n)
	if p.attack {
		t.AttackLines++
	}
	if p.fails > 0 {
		t.Failures += int64(p.fails)
		t.FailuresByIP[p.ip] += int64(p.fails)
	}
	if p.failed || p.fails > 0 {
		g.failSeen[p.ip] = true
	}
	if p.login {
		t.Successes++
		t.SuccessesByIP[p.ip]++
		if g.failSeen[p.ip] {
			t.SuccessAfterFailure[p.ip]++
		}
	}
}

// gap is the time to the next event start: exponential, with a mean that
// makes the log run at Config.Rate lines per second.
func (g *gen) gap() int64 {
	events := g.normEvents + g.attEvents
	lines := g.normLines + g.attLines
	mean := 5.0
	if events > 0 {
		mean = float64(lines) / float64(events)
	}
	return int64(g.rng.ExpFloat64() * mean / g.cfg.Rate * 1e6)
}

// event starts one event at time t, attack or ordinary. The chance of an
// attack is set from the mean size of each kind so that the line share
// converges on Config.Attack, and nudged by the current error so that
// small logs land close too.
func (g *gen) event(t int64) {
	a := g.cfg.Attack
	meanN, meanA := 8.0, 3.0
	if g.normEvents > 0 {
		meanN = float64(g.normLines) / float64(g.normEvents)
	}
	if g.attEvents > 0 {
		meanA = float64(g.attLines) / float64(g.attEvents)
	}
	p := 0.0
	if a > 0 {
		p = a * meanN / (a*meanN + (1-a)*meanA)
		total := float64(g.normLines + g.attLines)
		p += (a*total - float64(g.attLines)) / (200 * meanA)
		p = min(max(p, 0), 1)
		if a == 1 {
			p = 1
		}
	}
	if g.rng.Float64() < p {
		g.attack = true
		g.attEvents++
		g.attackEvent(t)
	} else {
		g.attack = false
		g.normEvents++
		g.normalEvent(t)
	}
}
