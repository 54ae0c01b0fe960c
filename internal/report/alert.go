package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/watch"
)

// -alert is the watch: at the end of the follow pipeline it judges each
// login against the recent failures and the account's history (package
// watch), and sends those worth an alarm by mail (sendmail -t) and to a
// command of the admin's, within a minute of their log line. See the
// README's "Watching" section.

// alertConfig is -alert's part of the command line.
type alertConfig struct {
	learn    bool
	stateDir string
	quiet    time.Duration
	gather   time.Duration // how long the first alarm waits for others to join its mail
	sendmail []string      // nil: no mail
	notify   []string      // nil: no command
}

// alertFlags checks -alert's flags. Without recipients the alarms go
// only to -notify; with neither, or while learning, nowhere.
func alertFlags(learn bool, stateDir, notify, sendmail string, quiet, gather time.Duration, mail bool) (*alertConfig, error) {
	ac := &alertConfig{learn: learn, stateDir: stateDir, quiet: quiet, gather: gather}
	if ac.stateDir == "" {
		ac.stateDir = getenv("MAILCOP_STATE_DIR")
	}
	if ac.stateDir == "" {
		ac.stateDir = "/var/lib/mailcop"
	}
	if quiet < 0 || gather < 0 || gather > 50*time.Second {
		return nil, cli.Usagef(usage, "-quiet and -gather: want a duration >= 0, and -gather at most 50s (alarms leave within a minute)")
	}
	ac.notify = strings.Fields(notify)
	if len(ac.notify) == 0 {
		ac.notify = nil
	}
	if sendmail == "" {
		sendmail = getenv("MAILCOP_SENDMAIL")
	}
	if sendmail == "" {
		sendmail = "sendmail"
	}
	if mail {
		ac.sendmail = strings.Fields(sendmail)
	}
	if learn {
		ac.sendmail, ac.notify = nil, nil
	} else if ac.sendmail == nil && ac.notify == nil {
		return nil, cli.Usagef(usage, "-alert: no recipient and no -notify: give -to, set MAILCOP_TO or give -notify")
	}
	return ac, nil
}

// alert is one alarm, as the notify command reads it on its stdin and as
// the state keeps it until it is delivered. Every string in it is safe
// for a terminal (see safe).
type alert struct {
	Time        string   `json:"time"`
	Host        string   `json:"host,omitempty"`
	User        string   `json:"user"`
	IP          string   `json:"ip,omitempty"`
	Country     string   `json:"country,omitempty"`
	CountryName string   `json:"country_name,omitempty"`
	ASN         int      `json:"asn,omitempty"`
	ASOrg       string   `json:"as_org,omitempty"`
	Service     string   `json:"service,omitempty"`
	Class       string   `json:"class"`
	Classes     []string `json:"classes"`
	Why         string   `json:"why"`
	Attempts    int64    `json:"attempts,omitempty"`
	Accounts    int64    `json:"other_accounts,omitempty"`
	Passwords   int64    `json:"distinct_passwords,omitempty"`
	Known       []string `json:"known_countries,omitempty"`
	Command     string   `json:"command"` // what to run to see the account's other logins

	notified bool // the notify command had it
}

// alertTick is how often -alert's timers look at the clock (now); a
// hook for tests, as report.go's.
var alertTick = time.Second

// alarmQueued is told of each alarm queued for a mail: a hook for tests,
// which move the clock only once the alarm they caused is waiting.
var alarmQueued = func() {}

// retry is how long a failed delivery waits before the next try,
// doubling from the first to the last.
var retryFirst, retryMax = 30 * time.Second, 10 * time.Minute

type watcher struct {
	cfg    *config
	ac     *alertConfig
	eng    *watch.Engine
	stderr io.Writer

	pending  []*alert
	since    time.Time // when the oldest pending alarm arrived
	retryAt  time.Time
	backoff  time.Duration
	lastSent time.Time
	dirty    bool
	saved    time.Time
	saveTook time.Duration // a big state is saved less often: at most 5% of the time
}

// runAlert is mailcop-report -alert (and -alert -learn).
func runAlert(ctx context.Context, cfg *config, files []string, stdin io.Reader, stderr io.Writer) error {
	ac := cfg.alert
	stderr = &lockedWriter{w: stderr} // the reader and the timers both warn
	if err := os.MkdirAll(ac.stateDir, 0o750); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	lock, err := watch.Lock(ac.stateDir)
	if err != nil {
		return err
	}
	defer lock.Close()
	w := &watcher{cfg: cfg, ac: ac, eng: watch.New(watch.Defaults()), stderr: stderr}
	var bad atomic.Bool // the reader's, read at the end
	raw, _, err := w.eng.Load(ac.stateDir, func(err error) {
		bad.Store(true)
		fmt.Fprintf(stderr, "warning: %v\n", err)
	})
	if err != nil {
		return err
	}
	for _, p := range raw {
		var a alert
		if json.Unmarshal(p, &a) == nil {
			w.pending = append(w.pending, &a)
		}
	}
	if len(w.pending) > 0 {
		fmt.Fprintf(stderr, "%d alarms not delivered before the last stop: sending them now\n", len(w.pending))
		w.since = now().Add(-ac.gather)
	}

	// SIGTERM (systemctl stop) ends the watch with its state saved and
	// its alarms delivered: what the input still holds is read first.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	type item struct {
		ev  watch.Event
		rec *record.Record // the login's record, for its alert
	}
	items := make(chan item, 256)
	readErr := make(chan error, 1)
	go func() {
		defer close(items)
		readErr <- cli.EachInput(files, stdin, func(in cli.Input) error {
			rd := record.NewReader(in.R, in.Name)
			rd.Warn = func(se *record.SyntaxError) {
				bad.Store(true)
				fmt.Fprintf(stderr, "%v\n", se)
			}
			for rd.Scan() {
				r := rd.Record()
				ev, ok := eventOf(r)
				if !ok {
					continue
				}
				it := item{ev: ev}
				if ev.Success {
					it.rec = ownRecord(r)
				}
				items <- it
			}
			return rd.Err()
		})
	}()

	tick := time.NewTicker(alertTick)
	defer tick.Stop()
	done := ctx.Done()
	var drainUntil <-chan time.Time
	for running := true; running; {
		select {
		case it, ok := <-items:
			if !ok {
				running = false
				break
			}
			w.add(&it.ev, it.rec)
		case <-tick.C:
			w.tick(false)
		case <-done:
			// Read on for a moment what the stages upstream still send.
			done = nil
			drainUntil = time.After(3 * time.Second)
		case <-drainUntil:
			running = false
		}
	}
	var rerr error
	select {
	case rerr = <-readErr:
	default:
	}
	w.tick(true)
	if err := w.save(); err != nil {
		return err
	}
	if len(w.pending) > 0 {
		return fmt.Errorf("%d alarms could not be delivered; they are kept in %s and sent at the next start", len(w.pending), ac.stateDir)
	}
	if rerr != nil {
		return rerr
	}
	if bad.Load() {
		return cli.ErrReported
	}
	return nil
}

// ownRecord copies what an alert reads of a login's record: a record's
// strings may share the reader's buffer, which the next line overwrites
// while the alert is being made in another goroutine.
func ownRecord(r *record.Record) *record.Record {
	return &record.Record{
		Time: strings.Clone(r.Time), Host: strings.Clone(r.Host), User: strings.Clone(r.User), IP: strings.Clone(r.IP),
		Service: strings.Clone(r.Service), Country: strings.Clone(r.Country), CountryName: strings.Clone(r.CountryName),
		ASN: r.ASN, ASOrg: strings.Clone(r.ASOrg), Scope: strings.Clone(r.Scope),
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// eventOf is what the rules read of a record; ok false for a record they
// do not use.
func eventOf(r *record.Record) (watch.Event, bool) {
	if r.Event != record.EventAuth || r.Outcome != record.OutcomeFailure && r.Outcome != record.OutcomeSuccess {
		return watch.Event{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		t = now()
	}
	return watch.Event{
		Time: t, Success: r.Outcome == record.OutcomeSuccess, User: strings.Clone(r.User), IP: strings.Clone(r.IP),
		Country: strings.Clone(r.Country), ASN: r.ASN, Service: strings.Clone(r.Service),
		Attempts: r.Attempts, PwHash: strings.Clone(r.PwHash), GaveUp: r.Reason == record.ReasonTemporaryFailure,
	}, true
}

func (w *watcher) add(ev *watch.Event, r *record.Record) {
	v, alarm := w.eng.Judge(ev, w.ac.quiet)
	w.dirty = true
	if !alarm || w.ac.learn {
		return
	}
	a := w.alertOf(r, &v)
	w.eng.NoteAlarm(watch.Alarm{User: ev.User, IP: ev.IP, Time: ev.Time, Country: countryLabel(r), Service: a.Service,
		Class: a.Class, Why: a.Why})
	if len(w.pending) == 0 {
		w.since = now()
	}
	w.pending = append(w.pending, a)
	alarmQueued()
}

// infoCommand is what shows the account's other logins; the address's
// when no line named the account (an SMTP login that sent no mail).
func infoCommand(r *record.Record) string {
	word := r.User
	if word == "" {
		word = r.IP
	}
	return "mailcop info " + shellQuote(word) + " -a"
}

func (w *watcher) alertOf(r *record.Record, v *watch.Verdict) *alert {
	a := &alert{
		Time: r.Time, Host: clip(r.Host, 64), User: clip(r.User, clipWide), IP: clip(r.IP, clipNarrow),
		Country: clip(r.Country, 8), CountryName: clip(r.CountryName, 40), ASN: r.ASN, ASOrg: clip(r.ASOrg, 40),
		Service: clip(r.Service, 16), Class: v.Class().String(), Why: safe(verdictWhy(w.cfg.m, v)),
		Attempts: v.Attempts, Accounts: v.Accounts, Passwords: v.Guesses,
		Command: infoCommand(r),
	}
	for _, c := range v.Classes {
		a.Classes = append(a.Classes, c.String())
	}
	for _, k := range v.Known {
		a.Known = append(a.Known, clip(k, 8))
	}
	if t, err := time.Parse(time.RFC3339Nano, r.Time); err == nil {
		a.Time = t.Format(time.RFC3339)
	} else {
		a.Time = clip(r.Time, 40)
	}
	return a
}

// shellQuote quotes s for a POSIX shell, made safe for a terminal: the
// command is for the admin to copy, and the account name is the
// attacker's text.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(safe(s), "'", `'\''`) + "'"
}

// mailSpacing is the least time between two alarm mails: an attack that
// keeps succeeding makes a mail every 45 seconds at most, each with all
// the alarms since the last, and every alarm still leaves within a
// minute of its line.
const mailSpacing = 45 * time.Second

// tick delivers the pending alarms once the first has waited long
// enough for a burst to gather (or at once when final), and saves the
// state now and then.
func (w *watcher) tick(final bool) {
	t := now()
	ready := t.Sub(w.since) >= w.ac.gather && !t.Before(w.retryAt) && t.Sub(w.lastSent) >= mailSpacing
	if len(w.pending) > 0 && (final || ready) {
		w.deliver(t, final)
	}
	if w.dirty && (final || t.Sub(w.saved) >= max(2*time.Second, 20*w.saveTook)) {
		if err := w.save(); err != nil {
			fmt.Fprintf(w.stderr, "warning: %v\n", err)
			w.saveTook = 3 * time.Second // a full disk is said once a minute, not every 2 s
		}
	}
}

func (w *watcher) save() error {
	var raw []json.RawMessage
	for _, a := range w.pending {
		b, _ := json.Marshal(a)
		raw = append(raw, b)
	}
	start := time.Now()
	w.saved = now()
	w.dirty = false
	err := w.eng.Save(w.ac.stateDir, raw)
	w.saveTook = time.Since(start)
	return err
}

// deliver sends the pending alarms as one mail, and each to the notify
// command. A mail that fails is tried again later; the alarms stay
// pending (and in the state) until it goes.
func (w *watcher) deliver(now time.Time, final bool) {
	if w.ac.notify != nil {
		for _, a := range w.pending {
			if a.notified {
				continue // a retry is the mail's only
			}
			a.notified = true
			b, _ := json.Marshal(a)
			if err := runCommand(w.ac.notify, nil, append(b, '\n')); err != nil {
				fmt.Fprintf(w.stderr, "warning: notify command %s: %v\n", w.ac.notify[0], err)
			}
		}
	}
	if w.ac.sendmail == nil {
		w.pending = nil
		return
	}
	var msg bytes.Buffer
	bw := bufio.NewWriter(&msg)
	err := writeAlertMail(bw, w.cfg, w.pending, now)
	bw.Flush()
	if err == nil {
		err = runCommand(w.ac.sendmail, []string{"-t", "-oi"}, msg.Bytes())
	}
	if err == nil {
		w.pending, w.backoff, w.lastSent = nil, 0, now
		w.dirty = true // the delivered alarms leave the state
		return
	}
	w.backoff = min(max(w.backoff*2, retryFirst), retryMax)
	w.retryAt = now.Add(w.backoff)
	if final {
		fmt.Fprintf(w.stderr, "warning: %s: %v\n", w.ac.sendmail[0], err)
		return
	}
	fmt.Fprintf(w.stderr, "warning: %s: %v; %d alarms kept, next try in %v\n", w.ac.sendmail[0], err, len(w.pending), w.backoff)
}

// commandTimeout bounds a sendmail or notify run: a hung one must not
// hold the alarms after it.
var commandTimeout = time.Minute

// runCommand runs argv plus args, without a shell, with input on its
// stdin; its output goes to our stderr.
func runCommand(argv, args []string, input []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:len(argv):len(argv)], args...)...)
	cmd.Stdin = bytes.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		if msg := strings.TrimSpace(out.String()); msg != "" {
			err = fmt.Errorf("%w: %s", err, clip(msg, 200))
		}
		return err
	}
	return nil
}

// writeAlertMail writes the pending alarms as one mail, through the
// daily report's builder: the same headers, text and HTML.
func writeAlertMail(w *bufio.Writer, cfg *config, alerts []*alert, now time.Time) error {
	if len(alerts) == 0 {
		return errors.New("no alarm")
	}
	m := *cfg.m
	wm := cfg.m.watch
	host := cfg.host
	if host == "" {
		host = alerts[0].Host
	}
	if host == "" {
		host, _ = hostname()
		host = clip(host, 64)
	}
	first := accountOr(&m, alerts[0].User)
	m.subject = func(string, int64, int64) string { return wm.subject(host, len(alerts), first) }
	sum := &summary{m: &m, host: host, title: fmt.Sprintf(wm.title, host), alerts: int64(len(alerts))}
	sum.totals = []string{wm.total(len(alerts))}
	t := &table{cols: []column{{head: m.colTime}, {head: m.colAccount}, {head: m.colAddress}, {head: m.colCountry, opt: true},
		{head: m.colService, opt: true}}}
	var users []string
	var notes []string
	for _, a := range alerts {
		country := a.Country
		if a.CountryName != "" {
			country += ", " + a.CountryName
		}
		user := accountOr(&m, a.User)
		t.rows = append(t.rows, []string{dash(alertTime(a.Time, cfg)), user, dash(a.IP), dash(country), dash(a.Service)})
		notes = append(notes, user+" ("+dash(a.IP)+")"+m.colon+a.Why+".")
		if !contains(users, a.Command) {
			users = append(users, a.Command)
		}
	}
	sum.sections = append(sum.sections,
		section{title: wm.secWhat, alert: true, table: t.prune()},
		section{title: wm.secWhy, notes: notes},
		section{title: wm.secDo, notes: []string{wm.doNote}, pre: users})
	return writeMail(w, sum, cfg.to, cfg.from, now.In(cfg.loc), random)
}

func alertTime(s string, cfg *config) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(cfg.loc).Format(timeLayout)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
