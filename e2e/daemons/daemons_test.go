//go:build e2e

// Package daemons is mailcop's end-to-end harness against real daemons:
// Debian's dovecot, postfix and rsyslog started on loopback, attacked by the
// harness's own IMAP, POP3 and SMTP AUTH clients, and mailcop's records
// compared with what the attack did, address by address. Run it with
// `make e2e` (root, Debian 12, network to deb.debian.org for Debian 13's
// root the first time).
package daemons

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	seed     = flag.Uint64("seed", 1, "the attack's random `seed`")
	sessions = flag.Int("sessions", 40, "random guessing `sessions` on top of the scenarios")
	workers  = flag.Int("workers", 16, "concurrent `sessions`")
	only     = flag.String("only", "", "run only the combinations whose name contains `text`")
)

// A combination is a Debian release and a dovecot logging level.
type combination struct {
	name     string
	index    int // picks the ports
	debian   int
	verbose  bool // auth_verbose = yes, auth_verbose_passwords = sha1:6
	live     bool // also follow the log live through two rotations
	exported bool // dovecot's event exporter writes JSON next to the mail log
	watch    bool // scripts/mailcop-watch follows the log and mails the break-in
}

// exporter is the dovecot 2.4 configuration that writes the events of
// every authentication as JSON lines to log/dovecot-events.json.
func (c combination) exporter(s *server) string {
	switch {
	case !c.exported:
		return ""
	case c.debian < 13:
		return exporterConfig23(fmt.Sprintf("http://127.0.0.1:%d/events", s.ports.events))
	}
	return exporterConfig(s.dir + "/log/" + eventsFile)
}

var combinations = []combination{
	{name: "debian12-default", index: 0, debian: 12, watch: true},
	{name: "debian12-verbose", index: 1, debian: 12, verbose: true, live: true},
	{name: "debian13-default", index: 2, debian: 13},
	{name: "debian13-verbose", index: 3, debian: 13, verbose: true},
	{name: "debian13-events", index: 4, debian: 13, exported: true},
	{name: "debian12-events", index: 5, debian: 12, exported: true},
}

// bin holds mailcop's binaries, built once from this checkout.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e: the daemons need root (mount namespace, chroot, ports, users)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "mailcop-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "../../cmd/...")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestDaemons(t *testing.T) {
	for _, c := range combinations {
		if !strings.Contains(c.name, *only) {
			continue
		}
		t.Run(c.name, func(t *testing.T) { runCombination(t, c) })
	}
}

func runCombination(t *testing.T, c combination) {
	root := "/"
	if c.debian == 13 {
		root = debianRoot(t, "trixie")
	}
	s := newServer(t, c, root)
	t.Cleanup(func() { keepLogs(t, c, s) })
	if c.exported && c.debian < 13 {
		receiveEvents(t, s.ports.events, filepath.Join(s.host, "log", eventsFile))
	}
	s.start(t)

	chains := plan(*seed, *sessions)
	total := 0
	for _, ch := range chains {
		total += len(ch)
	}
	var live, both *livePipeline
	var rotations atomic.Int32
	progress := func(int) {}
	if c.exported {
		// The events and the log pair up as one stream in time order:
		// mailcop-tail -f following both files makes it.
		both = startLive(t, s.mailLog(), filepath.Join(s.host, "log", eventsFile))
	}
	if c.live {
		live = startLive(t, s.mailLog())
		// Two rotations, at a third and at two thirds of the attack.
		// Sessions end in the attack's goroutines: one rotation at a time,
		// and errors reported, not fatal, from there.
		var rotating sync.Mutex
		progress = func(done int) {
			if done == total/3 || done == 2*total/3 {
				rotating.Lock()
				defer rotating.Unlock()
				if err := s.rotate(int(rotations.Add(1))); err != nil {
					t.Errorf("rotate: %v", err)
				}
			}
		}
	}
	var watching *watch
	if c.watch {
		watching = startWatch(t, s.mailLog())
	}
	began := time.Now()
	outcomes := attack(s.ports, chains, *workers, progress)
	ended := time.Now()
	t.Logf("%d sessions in %v", len(outcomes), time.Since(began).Round(time.Second))
	for _, o := range outcomes {
		if o.err != nil {
			t.Errorf("%s session from %s (%s): %v\n%s", o.s.proto, o.s.ip, o.s.label, o.err, strings.Join(o.lines, "\n"))
		}
	}
	writeTruth(t, filepath.Join(s.host, "log", "truth.json"), outcomes)
	// Let the last lines reach the log (postfix logs its disconnect
	// after the client's QUIT), then stop the daemons.
	time.Sleep(2 * time.Second)
	s.stop(t)

	// Oldest first: logrotate's numbering, mail.log.N the oldest.
	logs := []string{s.mailLog()}
	for i := 1; i <= int(rotations.Load()); i++ {
		logs = slices.Insert(logs, 0, fmt.Sprintf("%s.%d", s.mailLog(), i))
	}
	records := parseBatch(t, logs)
	if live != nil {
		checkLive(t, live, records)
		checkFail2ban(t, records)
	}
	checkCounts(t, c, outcomes, records)
	checkCompromise(t, outcomes, logs)
	if c.verbose {
		checkHashes(t, outcomes, records)
	}
	if c.exported {
		checkEvents(t, c, outcomes, filepath.Join(s.host, "log", eventsFile), both)
	}
	if watching != nil {
		checkWatch(t, watching, ended)
	}
}

// checkEvents: dovecot's exported events tell every attempt made through
// dovecot — IMAP, POP3, and postfix's SASL requests — failures inside a
// session that ended in a login included; with the mail log (postfix's
// attempts that never reached dovecot), every attempt. Both, followed
// live as one stream, must count exactly the truth.
func checkEvents(t *testing.T, c combination, outcomes []outcome, events string, both *livePipeline) {
	t.Helper()
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	t.Logf("the exporter wrote %d events; the first ones:\n%s", len(lines), strings.Join(lines[:min(4, len(lines))], "\n"))
	// What dovecot itself exported, before mailcop reads it: the requests
	// that did not succeed, per address, beside the truth (a measure of the
	// exporter, not a check of mailcop).
	exported := map[string]int{}
	for _, l := range lines {
		var e struct {
			Event  string `json:"event"`
			Fields struct {
				RemoteIP string `json:"remote_ip"`
				Success  string `json:"success"`
			} `json:"fields"`
		}
		if json.Unmarshal([]byte(l), &e) == nil && e.Event == "auth_request_finished" && e.Fields.Success != "yes" {
			exported[e.Fields.RemoteIP]++
		}
	}
	made := map[string]int{}
	for _, o := range outcomes {
		if o.rejected > 0 {
			made[o.s.ip] += o.rejected
		}
	}
	for _, ip := range sortedKeys(mergeKeys(made, exported)) {
		if made[ip] != exported[ip] {
			t.Logf("  exporter: %-22s made %3d  auth_request_finished without success %3d", ip, made[ip], exported[ip])
		}
	}
	all := c
	all.verbose = true // every failure is expected, as with auth_verbose
	all.name += " (events and log, live)"
	checkCounts(t, all, outcomes, both.stop(t))
}

// checkFail2ban feeds mailcop-report -fail2ban's lines to Debian's
// fail2ban-regex with the shipped filter: every line matched, and per
// address as many as mailcop counted.
func checkFail2ban(t *testing.T, records []string) {
	t.Helper()
	dir := t.TempDir()
	lines := filepath.Join(dir, "fail2ban.log")
	out := mailcop(t, []byte(strings.Join(records, "\n")+"\n"), "mailcop-report", "-fail2ban")
	if err := os.WriteFile(lines, out, 0o644); err != nil {
		t.Fatal(err)
	}
	matched, err := exec.Command("fail2ban-regex", "--out", "ip", lines, "../../etc/fail2ban/filter.d/mailcop.conf").Output()
	if err != nil {
		t.Errorf("fail2ban-regex (Debian's fail2ban): %v", err)
		return
	}
	got := map[string]int{}
	for _, ip := range strings.Fields(string(matched)) {
		got[ip]++
	}
	want := map[string]int{}
	for _, r := range decode(t, records) {
		if r.Event == "auth" && r.Outcome == "failure" {
			want[r.IP] += r.Attempts
		}
	}
	written := strings.Count(string(out), "\n")
	t.Logf("fail2ban-regex matched %d of the %d lines mailcop-report -fail2ban wrote", len(strings.Fields(string(matched))), written)
	for _, ip := range sortedKeys(mergeKeys(want, got)) {
		if want[ip] != got[ip] {
			t.Errorf("fail2ban's filter: %s matched %d times, mailcop counted %d", ip, got[ip], want[ip])
		}
	}
}

// keepLogs copies the daemons' logs where they can be read after the run:
// E2E_OUT (default bin/e2e in the checkout), one directory per combination.
func keepLogs(t *testing.T, c combination, s *server) {
	out := os.Getenv("E2E_OUT")
	if out == "" {
		out = "../../bin/e2e"
	}
	dst := filepath.Join(out, c.name)
	os.RemoveAll(dst)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Log(err)
		return
	}
	files, _ := filepath.Glob(filepath.Join(s.host, "log", "*"))
	for _, f := range append(files, filepath.Join(s.host, "dovecot.conf")) {
		if b, err := os.ReadFile(f); err == nil {
			os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644)
		}
	}
	abs, _ := filepath.Abs(dst)
	t.Logf("logs kept in %s", abs)
}

type record struct {
	Time     string `json:"time"`
	Daemon   string `json:"daemon"`
	Service  string `json:"service"`
	Event    string `json:"event"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	User     string `json:"user"`
	IP       string `json:"ip"`
	PwHash   string `json:"pw_hash"`
	Attempts int    `json:"attempts"`
	Line     string `json:"line"`
}

// mailcop runs one of mailcop's binaries on stdin and returns its stdout.
func mailcop(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.SplitAfter(stderr.String(), "\n")
		if len(msg) > 10 {
			msg = append(msg[:10], fmt.Sprintf("(%d more lines)\n", len(msg)-10))
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, strings.Join(msg, ""))
	}
	return out
}

// parseBatch runs mailcop-parse -raw on the logs, oldest first, then
// mailcop-geo, and returns the records as lines and decoded.
func parseBatch(t *testing.T, logs []string) []string {
	t.Helper()
	out := mailcop(t, nil, "mailcop-parse", append([]string{"-raw"}, logs...)...)
	out = mailcop(t, out, "mailcop-geo", "-db", "none", "-asn-db", "none")
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

func decode(t *testing.T, lines []string) []record {
	t.Helper()
	var rs []record
	for _, l := range lines {
		if l == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// checkCounts compares failed attempts per address with the truth. With
// dovecot's default logging, the failures of an IMAP or POP3 session that
// ended in a login are in no log line, so they are not expected.
func checkCounts(t *testing.T, c combination, outcomes []outcome, lines []string) {
	t.Helper()
	want := map[string]int{}
	made := 0
	for _, o := range outcomes {
		made += o.rejected
		if !c.verbose && o.s.proto != "smtp" && o.loggedIn != "" {
			continue
		}
		if o.rejected > 0 {
			want[o.s.ip] += o.rejected
		}
	}
	got := map[string]int{}
	counted := 0
	for _, r := range decode(t, lines) {
		if r.Event == "auth" && r.Outcome == "failure" {
			got[r.IP] += r.Attempts
			counted += r.Attempts
		}
	}
	expected := 0
	for _, n := range want {
		expected += n
	}
	t.Logf("%s: mailcop counted %d failed attempts; the log shows %d; the attack made %d", c.name, counted, expected, made)
	var diff []string
	for _, ip := range sortedKeys(mergeKeys(want, got)) {
		if want[ip] != got[ip] {
			diff = append(diff, fmt.Sprintf("  %-22s truth %3d  mailcop %3d  (%+d)", ip, want[ip], got[ip], got[ip]-want[ip]))
		}
	}
	if len(diff) > 0 {
		t.Errorf("failed attempts per address differ (%d addresses):\n%s\nper-address detail: the sessions of each address, then mailcop's records for it:\n%s",
			len(diff), strings.Join(diff, "\n"), detail(outcomes, decode(t, lines), want, got))
	}
}

// detail shows, for each address counted wrong, what the attack did and
// which records mailcop made of it, with their log lines.
func detail(outcomes []outcome, records []record, want, got map[string]int) string {
	var b strings.Builder
	for _, ip := range sortedKeys(mergeKeys(want, got)) {
		if want[ip] == got[ip] {
			continue
		}
		fmt.Fprintf(&b, "%s:\n", ip)
		for _, o := range outcomes {
			if o.s.ip == ip {
				fmt.Fprintf(&b, "  session %s %s: %d rejected, logged in %q\n", o.s.proto, o.s.label, o.rejected, o.loggedIn)
			}
		}
		for _, r := range records {
			if r.IP == ip && r.Outcome == "failure" {
				fmt.Fprintf(&b, "  record %s %s %d: %s\n", r.Service, r.Reason, r.Attempts, r.Line)
			}
		}
	}
	return b.String()
}

// checkCompromise requires each brute force that got in under the
// report's compromise heading, by its address, and by its account
// wherever a log line names it.
func checkCompromise(t *testing.T, outcomes []outcome, logs []string) {
	t.Helper()
	parsed := mailcop(t, nil, "mailcop-parse", logs...)
	report := string(mailcop(t, parsed, "mailcop-report", "-lang", "en"))
	_, after, ok := strings.Cut(report, "Possible compromises")
	if !ok {
		t.Errorf("no \"Possible compromises\" heading in the report:\n%s", report)
		return
	}
	section, _, _ := strings.Cut(after, "\n\n")
	wanted := 0
	for _, o := range outcomes {
		if !strings.HasSuffix(o.s.label, "brute force, in") || o.loggedIn == "" {
			continue
		}
		wanted++
		account := o.loggedIn
		if !accountLogged(o) {
			account = "(not logged)"
		}
		found := false
		for _, l := range strings.Split(section, "\n") {
			if strings.Contains(l, o.s.ip) && strings.Contains(l, account) {
				found = true
			}
		}
		if !found {
			t.Errorf("the break-in of %s from %s is not under the compromise heading as %q:\n%s", o.loggedIn, o.s.ip, account, section)
		}
	}
	if wanted != 2 {
		t.Errorf("%d brute forces got in, want 2 (bob over IMAP, carol over SMTP)", wanted)
	}
}

// accountLogged says whether a log line names the account of a session's
// login. The harness's SMTP sessions send no mail, and postfix names the
// account of an SMTP login only on the line of a message it accepts
// (sasl_username=): the session's only trace is auth=1 at disconnect.
func accountLogged(o outcome) bool {
	return o.s.proto != "smtp"
}

// checkHashes: with auth_verbose_passwords = sha1:6, dovecot's failures
// carry pw_hash, each the hash of a password the attack sent, and the
// stale password shows as one hash repeated.
func checkHashes(t *testing.T, outcomes []outcome, lines []string) {
	t.Helper()
	sent := map[string]bool{}
	for _, o := range outcomes {
		for _, tr := range o.s.tries {
			sent[sha6(tr.pass)] = true
		}
	}
	hashed := 0
	stale := map[string]int{}
	for _, r := range decode(t, lines) {
		if r.PwHash == "" {
			continue
		}
		hashed++
		if !sent[r.PwHash] {
			t.Errorf("pw_hash %q is the hash of no password sent: %s", r.PwHash, r.Line)
		}
		if r.IP == staleIP {
			stale[r.PwHash]++
		}
	}
	if hashed == 0 {
		t.Error("no record carries pw_hash, though dovecot logs sha1:6 of each password")
	}
	if want := sha6("dave-2025-autumn"); stale[want] == 0 || len(stale) != 1 {
		t.Errorf("the stale password's hash from %s: got %v, want only %s", staleIP, stale, want)
	}
}

// livePipeline is mailcop-tail -f | mailcop-parse | mailcop-geo, run as
// real processes while the attack goes on.
type livePipeline struct {
	stages []*exec.Cmd
	out    *bytes.Buffer
}

func startLive(t *testing.T, logs ...string) *livePipeline {
	t.Helper()
	p := &livePipeline{
		stages: []*exec.Cmd{
			exec.Command(filepath.Join(bin, "mailcop-tail"), append([]string{"-f"}, logs...)...),
			exec.Command(filepath.Join(bin, "mailcop-parse"), "-raw"),
			exec.Command(filepath.Join(bin, "mailcop-geo"), "-db", "none", "-asn-db", "none"),
		},
		out: &bytes.Buffer{},
	}
	for i := 1; i < len(p.stages); i++ {
		r, err := p.stages[i-1].StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stages[i].Stdin = r
	}
	p.stages[len(p.stages)-1].Stdout = p.out
	for _, c := range p.stages {
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, c := range p.stages {
			c.Process.Kill()
		}
	})
	return p
}

// stop ends mailcop-tail as an admin would (SIGTERM: it flushes and exits)
// and waits for the stages after it to drain.
func (p *livePipeline) stop(t *testing.T) []string {
	t.Helper()
	// The records of the last lines leave within a second (SPEC: 250 ms).
	time.Sleep(2 * time.Second)
	p.stages[0].Process.Signal(syscall.SIGTERM)
	// Bounded: a stage that does not end within 10 s is killed, and said.
	stuck := time.AfterFunc(10*time.Second, func() {
		for _, c := range p.stages {
			c.Process.Kill()
		}
	})
	defer stuck.Stop()
	for _, c := range p.stages {
		if err := c.Wait(); err != nil {
			t.Errorf("%s: %v", filepath.Base(c.Path), err)
		}
	}
	return strings.Split(strings.TrimSuffix(p.out.String(), "\n"), "\n")
}

// checkLive: the live records equal the batch ones, the `file` key aside
// (tail names the file it read, the batch names the rotated one).
func checkLive(t *testing.T, p *livePipeline, batch []string) {
	t.Helper()
	live := p.stop(t)
	strip := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("record %q: %v", l, err)
			}
			delete(m, "file")
			b, _ := json.Marshal(m)
			out = append(out, string(b))
		}
		return out
	}
	l, b := strip(live), strip(batch)
	t.Logf("live pipeline through two rotations: %d records, batch: %d", len(l), len(b))
	if !slices.Equal(l, b) {
		t.Errorf("live records differ from the batch parse of the rotated files:\n%s", lineDiff(b, l))
		// Whether the two only share the attempts out differently.
		sums := func(lines []string) map[string]int {
			m := map[string]int{}
			for _, r := range decode(t, lines) {
				if r.Outcome == "failure" {
					m[r.IP] += r.Attempts
				}
			}
			return m
		}
		ls, bs := sums(live), sums(batch)
		for _, ip := range sortedKeys(mergeKeys(ls, bs)) {
			if ls[ip] != bs[ip] {
				t.Errorf("  failed attempts of %s: live %d, batch %d", ip, ls[ip], bs[ip])
			}
		}
	}
}

// lineDiff lists the lines only one side has (order aside) or, when both
// hold the same lines, the first place they are ordered differently.
func lineDiff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var b strings.Builder
	for _, l := range sortedKeys(count) {
		switch n := count[l]; {
		case n > 0:
			fmt.Fprintf(&b, "- batch only (%d): %s\n", n, l)
		case n < 0:
			fmt.Fprintf(&b, "+ live only (%d): %s\n", -n, l)
		}
	}
	if b.Len() == 0 {
		for i := range min(len(want), len(got)) {
			if want[i] != got[i] {
				fmt.Fprintf(&b, "same records, other order from record %d:\n- %s\n+ %s\n", i+1, want[i], got[i])
				break
			}
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func mergeKeys(a, b map[string]int) map[string]int {
	m := maps.Clone(a)
	for k := range b {
		m[k] += 0
	}
	return m
}

// writeTruth saves what the attack did, session by session, beside the
// logs it left (jq -s 'group_by(.ip)' …).
func writeTruth(t *testing.T, path string, outcomes []outcome) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, o := range outcomes {
		enc.Encode(map[string]any{"proto": o.s.proto, "ip": o.s.ip, "scenario": o.s.label, "rejected": o.rejected, "logged_in": o.loggedIn})
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Error(err)
	}
}

// receiveEvents stands in for what dovecot 2.3's http-post exporter would
// post to: an HTTP server on loopback that appends each event, one JSON
// object a line, to file. It stops with the test.
func receiveEvents(t *testing.T, port int, file string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	srv := &http.Server{
		Addr:              net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, line := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
				f.Write(append(line, '\n'))
			}
		}),
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		f.Close()
	})
}
