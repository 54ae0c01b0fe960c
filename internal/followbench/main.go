// Followbench measures what watching costs the server being watched: the
// CPU time per log line and the memory of the live pipeline,
//
//	mailcop-tail -f LOG | mailcop-parse | mailcop-geo | mailcop-report -live
//
// side by side with Debian's fail2ban-server, in the foreground with its
// stock dovecot and postfix[mode=auth] filters and an action that does
// nothing, following the same log. A writer appends lines to the log at a
// steady rate, one write() per line as syslog does, for each rate asked.
//
// Usage:
//
//	go run ./internal/followbench [-bin dir] [-rates 10,100,1000] [-duration 20s]
//
// It is run from the repository's root after make build (make bench runs
// it). The lines are the project's generated log (package loggen, seed 1)
// stamped with the present, so that fail2ban does not discard them as
// old; one line a quarter second (one in ten at most) is a probe attempt
// whose user names it, and the time from its write() to its line out of
// mailcop-report is the pipeline's latency.
//
// CPU time is read from /proc/PID/task/*/sched (the scheduler's
// sum_exec_runtime, in nanoseconds: user plus system time of every
// thread) before and after the measured window, after a warm-up at the
// same rate; where that file is missing, from /proc/PID/stat (10 ms
// ticks). Memory is each process's resident set at the end of the window.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailcop/mailcop/internal/loggen"
)

func main() {
	bin := flag.String("bin", "bin", "`dir` of the mailcop binaries")
	rates := flag.String("rates", "10,100,1000", "log `lines/s` to measure at, comma-separated")
	duration := flag.Duration("duration", 20*time.Second, "measured window per rate")
	warmup := flag.Duration("warmup", 3*time.Second, "writing at the rate before the window")
	f2b := flag.String("fail2ban", "fail2ban-server", "fail2ban-server to compare with, or none")
	flag.Parse()
	if err := run(*bin, *rates, *duration, *warmup, *f2b); err != nil {
		fmt.Fprintf(os.Stderr, "followbench: %v\n", err)
		os.Exit(1)
	}
}

func run(bin, rateList string, duration, warmup time.Duration, f2b string) error {
	var rates []int
	for _, s := range strings.Split(rateList, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || r <= 0 || r > 100000 {
			return fmt.Errorf("-rates: %q is not a rate between 1 and 100000", s)
		}
		rates = append(rates, r)
	}
	if duration <= 0 || duration > time.Hour || warmup < 0 || warmup > time.Hour {
		return errors.New("-duration and -warmup: between 0 and an hour")
	}
	if f2b != "none" {
		path, err := exec.LookPath(f2b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "followbench: %v: mailcop alone (on Debian: apt-get install fail2ban)\n", err)
			f2b = "none"
		} else {
			f2b = path
		}
	}
	bodies, err := logBodies()
	if err != nil {
		return err
	}
	fmt.Printf("followbench: %v per rate after %v of warm-up; loggen's log (seed 1) stamped with the present, one write() per line\n\n", duration, warmup)
	fmt.Printf("%7s %6s | %-35s %8s %8s | %-10s %8s %8s | %s\n", "", "", "mailcop CPU µs/line", "", "", "fail2ban", "", "", "mailcop")
	fmt.Printf("%7s %6s | %6s %6s %6s %6s %8s %8s %8s | %10s %8s %8s | %s\n",
		"lines/s", "lines", "tail", "parse", "geo", "report", "total", "RSS MiB", "p95 ms", "µs/line", "RSS MiB", "failures", "/ fail2ban")
	for _, rate := range rates {
		res, err := measure(bin, f2b, bodies, rate, duration, warmup)
		if err != nil {
			return fmt.Errorf("%d lines/s: %w", rate, err)
		}
		res.print()
	}
	fmt.Println("\nCPU is user + system time of every thread over the window, divided by the lines written in it;")
	fmt.Println("RSS is the sum over the four stages; p95 is from a probe line's write() to its line out of mailcop-report -live;")
	fmt.Println("failures is what fail2ban's dovecot + postfix-sasl jails counted since they started, proof that they followed.")
	fmt.Println("Targets (README, Performance): at most 200 µs of CPU per line over the four stages, below")
	fmt.Println("fail2ban's, p95 under SPEC's 100 ms.")
	return nil
}

// logBodies returns the generated log's lines without their stamps, to
// be stamped again as they are written.
func logBodies() ([][]byte, error) {
	var buf bytes.Buffer
	if _, err := loggen.Generate(&buf, loggen.Config{Size: 2 << 20, Seed: 1}); err != nil {
		return nil, err
	}
	var bodies [][]byte
	for _, line := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
		// "Nov 25 00:41:07 " is the syslog prefix loggen writes.
		if len(line) < 17 || line[15] != ' ' {
			continue
		}
		if _, err := time.Parse(time.Stamp, string(line[:15])); err != nil {
			continue
		}
		bodies = append(bodies, line[16:])
	}
	if len(bodies) == 0 {
		return nil, errors.New("loggen wrote no syslog lines")
	}
	return bodies, nil
}

type result struct {
	rate, lines int
	stage       [4]time.Duration // tail, parse, geo, report
	rss         int64            // KiB, all four
	f2bCPU      time.Duration
	f2bRSS      int64 // KiB
	f2bFailures string
	latency     []time.Duration
	f2b         bool
}

func (r *result) print() {
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(r.lines) }
	var total time.Duration
	for _, d := range r.stage {
		total += d
	}
	p95 := "n/a"
	if len(r.latency) > 0 {
		slices.Sort(r.latency)
		p95 = fmt.Sprintf("%.1f", float64(r.latency[len(r.latency)*95/100])/1e6)
	}
	fmt.Printf("%7d %6d | %6.1f %6.1f %6.1f %6.1f %8.1f %8.1f %8s |",
		r.rate, r.lines, per(r.stage[0]), per(r.stage[1]), per(r.stage[2]), per(r.stage[3]), per(total), float64(r.rss)/1024, p95)
	if r.f2b {
		fmt.Printf(" %10.1f %8.1f %8s | %.2f\n", per(r.f2bCPU), float64(r.f2bRSS)/1024, r.f2bFailures, float64(total)/float64(r.f2bCPU))
	} else {
		fmt.Printf(" %10s %8s %8s | n/a\n", "n/a", "n/a", "n/a")
	}
}

func measure(bin, f2b string, bodies [][]byte, rate int, duration, warmup time.Duration) (*result, error) {
	dir, err := os.MkdirTemp("", "followbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	logName := filepath.Join(dir, "mail.log")
	log, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	defer log.Close()

	p, err := startPipeline(bin, logName)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	var fb *fail2ban
	if f2b != "none" {
		if fb, err = startFail2ban(f2b, dir, logName); err != nil {
			return nil, err
		}
		defer fb.stop()
	}
	time.Sleep(500 * time.Millisecond) // the followers are watching

	w := &writer{log: log, bodies: bodies, rate: rate, probes: p}
	if err := w.write(warmup); err != nil {
		return nil, err
	}
	res := &result{rate: rate, f2b: fb != nil}
	before := make([]time.Duration, len(p.cmds))
	for i, c := range p.cmds {
		before[i] = cpuTime(c.Process.Pid)
	}
	var f2bBefore time.Duration
	if fb != nil {
		f2bBefore = cpuTime(fb.cmd.Process.Pid)
	}
	p.startLatency()
	start := w.n
	if err := w.write(duration); err != nil {
		return nil, err
	}
	res.lines = w.n - start
	time.Sleep(time.Second) // the last lines go through
	for i, c := range p.cmds {
		res.stage[i] = cpuTime(c.Process.Pid) - before[i]
		res.rss += rssKiB(c.Process.Pid)
	}
	res.latency = p.latencies()
	if fb != nil {
		res.f2bCPU = cpuTime(fb.cmd.Process.Pid) - f2bBefore
		res.f2bRSS = rssKiB(fb.cmd.Process.Pid)
		res.f2bFailures = fb.failures()
	}
	if missing := p.missing(); missing > 0 {
		return nil, fmt.Errorf("%d probe lines never came out of mailcop-report", missing)
	}
	return res, nil
}

// writer appends stamped lines to the log at a steady rate.
type writer struct {
	log    *os.File
	bodies [][]byte
	rate   int
	n      int // lines written so far
	probes *pipeline
	buf    []byte
}

// write writes rate lines a second for d, each due at its own time.
func (w *writer) write(d time.Duration) error {
	period := time.Second / time.Duration(w.rate)
	// A probe each quarter second, one line in ten at most: probes are
	// attempts, and the mix should stay the generated log's.
	every := max(w.rate/4, 10)
	start := time.Now()
	for i := 0; time.Duration(i)*period < d; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * period)); wait > 0 {
			time.Sleep(wait)
		}
		now := time.Now()
		w.buf = now.AppendFormat(w.buf[:0], time.Stamp)
		if w.n%every == 0 {
			id := w.probes.probe(now)
			w.buf = fmt.Appendf(w.buf, " mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<%s>, method=PLAIN, rip=203.0.113.77, lip=192.0.2.5, TLS, session=<%s>\n", id, id)
		} else {
			w.buf = append(w.buf, ' ')
			w.buf = append(w.buf, w.bodies[w.n%len(w.bodies)]...)
		}
		if _, err := w.log.Write(w.buf); err != nil {
			return err
		}
		w.n++
	}
	return nil
}

// pipeline is mailcop's four stages joined by pipes, no shell.
type pipeline struct {
	cmds []*exec.Cmd
	out  io.ReadCloser
	done chan struct{}

	mu       sync.Mutex
	sent     map[string]time.Time // probe id → write time, while unseen
	measured bool
	lat      []time.Duration
	next     int
}

func startPipeline(bin, logName string) (*pipeline, error) {
	p := &pipeline{sent: map[string]time.Time{}, done: make(chan struct{})}
	p.cmds = []*exec.Cmd{
		exec.Command(filepath.Join(bin, "mailcop-tail"), "-f", logName),
		exec.Command(filepath.Join(bin, "mailcop-parse")),
		exec.Command(filepath.Join(bin, "mailcop-geo"), "-db", "none", "-asn-db", "none"),
		exec.Command(filepath.Join(bin, "mailcop-report"), "-live"),
	}
	for i := 1; i < len(p.cmds); i++ {
		r, err := p.cmds[i-1].StdoutPipe()
		if err != nil {
			return nil, err
		}
		p.cmds[i].Stdin = r
	}
	var err error
	if p.out, err = p.cmds[len(p.cmds)-1].StdoutPipe(); err != nil {
		return nil, err
	}
	for _, c := range p.cmds {
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			p.stop()
			return nil, err
		}
	}
	go p.read()
	return p, nil
}

// probe returns a new probe's id, remembering when it was written.
func (p *pipeline) probe(at time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	id := fmt.Sprintf("probe%010d", p.next)
	p.sent[id] = at
	return id
}

func (p *pipeline) read() {
	defer close(p.done)
	sc := bufio.NewScanner(p.out)
	for sc.Scan() {
		now := time.Now()
		line := sc.Text()
		i := strings.Index(line, "probe")
		if i < 0 || len(line) < i+15 {
			continue
		}
		id := line[i : i+15]
		p.mu.Lock()
		if at, ok := p.sent[id]; ok {
			delete(p.sent, id)
			if p.measured {
				p.lat = append(p.lat, now.Sub(at))
			}
		}
		p.mu.Unlock()
	}
}

// startLatency forgets the warm-up's probes and times the next ones.
func (p *pipeline) startLatency() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.measured = true
	clear(p.sent)
}

func (p *pipeline) latencies() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lat)
}

func (p *pipeline) missing() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}

// stop ends mailcop-tail, which ends the stages after it in turn.
func (p *pipeline) stop() {
	for _, c := range p.cmds {
		if c.Process != nil {
			c.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, c := range p.cmds {
		if c.Process != nil {
			c.Wait()
		}
	}
}

// fail2ban is fail2ban-server in the foreground with a configuration of
// its own in a temporary directory: socket, pid file and database there,
// the stock dovecot and postfix[mode=auth] filters on the log, no action.
type fail2ban struct {
	cmd  *exec.Cmd
	conf string
	sock string
}

func startFail2ban(server, dir, logName string) (*fail2ban, error) {
	conf := filepath.Join(dir, "fail2ban")
	filters := filepath.Join(conf, "filter.d")
	if err := os.MkdirAll(filters, 0o755); err != nil {
		return nil, err
	}
	// The filters come from the installed fail2ban, as an admin has them.
	for _, name := range []string{"common.conf", "dovecot.conf", "postfix.conf"} {
		b, err := os.ReadFile(filepath.Join("/etc/fail2ban/filter.d", name))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(filters, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	fb := &fail2ban{conf: conf, sock: filepath.Join(dir, "f2b.sock")}
	main := fmt.Sprintf("[Definition]\nloglevel = INFO\nlogtarget = %s\nsyslogsocket = auto\nallowipv6 = auto\nsocket = %s\npidfile = %s\ndbfile = %s\ndbpurgeage = 1d\n",
		filepath.Join(dir, "fail2ban.log"), fb.sock, filepath.Join(dir, "f2b.pid"), filepath.Join(dir, "f2b.sqlite3"))
	// backend auto is what a Debian admin gets: pyinotify, installed with
	// fail2ban's recommends, else polling once a second.
	jails := fmt.Sprintf(`[DEFAULT]
backend = auto
maxretry = 5
findtime = 10m
bantime = 10m
action =

[dovecot]
enabled = true
filter = dovecot
logpath = %[1]s

[postfix-sasl]
enabled = true
filter = postfix[mode=auth]
logpath = %[1]s
`, logName)
	if err := os.WriteFile(filepath.Join(conf, "fail2ban.conf"), []byte(main), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "jail.conf"), []byte(jails), 0o644); err != nil {
		return nil, err
	}
	fb.cmd = exec.Command(server, "-f", "-x", "-c", conf, "-s", fb.sock, "-p", filepath.Join(dir, "f2b.pid"))
	// Its warnings (no action defined: on purpose) go to a file, shown if
	// it does not come up.
	errs, err := os.Create(filepath.Join(dir, "fail2ban.stderr"))
	if err != nil {
		return nil, err
	}
	defer errs.Close()
	fb.cmd.Stdout, fb.cmd.Stderr = io.Discard, errs
	if err := fb.cmd.Start(); err != nil {
		return nil, err
	}
	// Both jails up, within a bounded wait.
	for range 100 {
		if strings.Contains(fb.client("status"), "postfix-sasl") {
			return fb, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	fb.stop()
	b, _ := os.ReadFile(errs.Name())
	return nil, fmt.Errorf("fail2ban-server: jails not up after 10 s:\n%s", b)
}

func (fb *fail2ban) client(args ...string) string {
	cmd := exec.Command("fail2ban-client", append([]string{"-c", fb.conf, "-s", fb.sock}, args...)...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// failures says how many failures each jail saw: proof it followed.
func (fb *fail2ban) failures() string {
	var n []string
	for _, jail := range []string{"dovecot", "postfix-sasl"} {
		for _, line := range strings.Split(fb.client("status", jail), "\n") {
			if _, v, ok := strings.Cut(line, "Total failed:"); ok {
				n = append(n, strings.TrimSpace(v))
			}
		}
	}
	return strings.Join(n, "+")
}

func (fb *fail2ban) stop() {
	fb.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { fb.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fb.cmd.Process.Kill()
		<-done
	}
}

// cpuTime is the user + system time of all of pid's threads.
func cpuTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/sched", pid))
	var sum time.Duration
	found := false
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "se.sum_exec_runtime" {
				if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					sum += time.Duration(ms * 1e6)
					found = true
				}
			}
		}
	}
	if found {
		return sum
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis: utime is the 12th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// rssKiB is pid's resident set.
func rssKiB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
