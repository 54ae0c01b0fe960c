// Package report is the mailcop-report stage: what people read. It turns
// auth records (from mailcop-parse, with or without mailcop-geo's fields)
// into a live view of attempts as they happen, or, at the end of its
// input, a summary: as text, as one HTML page, or as a complete email
// with both for sendmail.
//
// Everything it prints that came from the log is made safe first (see
// safe): control characters, escape sequences and bidi overrides are
// shown, escaped, never acted upon; HTML escapes it again; no header of
// a mail can be split. Memory grows with the addresses, accounts and
// (address, account) pairs seen, not with the records.
package report

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/watch"
)

const usage = `usage: mailcop-report [-live | -html | -mail [-to addr,...] [-from addr] | -fail2ban]
                      [-lang en|fr] [-top n] [-tz zone] [-host name]
                      [-match word] [-color auto|always|never]
                      [-warnings file] [file ...]
       mailcop-report -alert [-learn] [-state-dir dir] [-to addr,...] [-from addr]
                      [-notify 'cmd arg...'] [-quiet d] [-gather d] [-lang en|fr]
                      [-tz zone] [-host name] [file ...]

Mailcop-report reads auth records (one JSON object per line, as
mailcop-parse and mailcop-geo write them) from the files, or standard
input, and writes them for people. By default it prints, at the end of
its input, a summary: the period, the attempts, addresses, accounts and
countries; the possible compromises (the logins -alert would raise an
alarm for, judged by its rules); the top countries, addresses, accounts
and networks; attempts per hour; clients repeating one wrong password;
the last attempts; fail2ban's bans when its log was read; and how many
auth lines mailcop-parse did not understand.

  -live         one line per failed attempt as it comes (time, account,
                address, country); a login from an address that failed
                before is an alert line. Colour only on a terminal
  -html         the summary as one self-contained HTML page
  -mail         the summary as an email (text and HTML) for sendmail -t -oi
  -fail2ban     one line per failed attempt as it comes, for fail2ban's
                mailcop filter: the time, then the address; a record of
                3 attempts writes 3 lines
  -to addr,...  recipients of -mail (default $MAILCOP_TO); a bare name
                (root) is a local mailbox, as for sendmail -t
  -from addr    sender of -mail (default $MAILCOP_FROM, else
                mailcop <root@this host>)
  -lang l       en (default) or fr
  -top n        rows per table, and last attempts shown (default 10)
  -tz zone      time zone of the times shown (default $TZ, else the
                system's)
  -host name    only the records of this server (and those naming none,
                as dovecot's own log), and its name in the title and
                subject (default: the records' host when they name one,
                else this machine's)
  -match word   only records whose address (an address, a prefix such as
                45.155. or a network 45.155.0.0/16), account (any part,
                any case), country (code or name) or AS (AS4134) matches;
                with -live, their logins too
  -color when   auto (default), always or never
  -warnings file
                lines that head the summary in a Warnings section: what
                the stages upstream said on stderr, as the daily mail
                passes them (the first 20 are shown)

  -alert        watch: judge each login against the recent failures and
                the account's history of logins, and send those worth an
                alarm by mail (sendmail -t) to -to, and to -notify, within
                a minute; a burst goes out as one mail
  -learn        with -alert: learn the histories from the input (the
                rotated logs, mailcop-tail -a), alarm for nothing
  -state-dir d  where -alert keeps its state, watch.ndjson (default
                $MAILCOP_STATE_DIR, else /var/lib/mailcop); with a summary,
                the watch's alarms of the period join its possible
                compromises
  -notify cmd   with -alert: also run cmd (words split at spaces, no
                shell) for each alarm, the alarm as one JSON object on
                its standard input
  -quiet d      with -alert: the same account and address alarm at most
                once in d (default 24h)
  -gather d     with -alert: how long the first alarm waits for others
                to share its mail (default 10s)
  -sendmail cmd with -alert: the mail command, run as cmd -t -oi
                (default $MAILCOP_SENDMAIL, else sendmail)

Records that are not JSON objects are reported with their file and line,
skipped, and make the exit status 1.

Example:
  mailcop-parse -unmatched /var/log/mail.log | mailcop-geo | mailcop-report -mail -to root | sendmail -t -oi
`

type config struct {
	mode     string // text, html, mail, live, fail2ban, alert
	m        *msgs
	top      int
	loc      *time.Location
	host     string
	match    *matcher
	colour   bool
	warnings []string
	to       []string // as the To header writes them
	from     *mail.Address
	alert    *alertConfig
	// The summary: the watch's state, whose alarms of the period join the
	// possible compromises.
	stateDir string
}

// Hooks for tests: the clock (of -mail's Date and of -alert's timers),
// the random source of -mail's Message-ID and boundary, the environment,
// the machine's name, and whether stdout is a terminal. Package
// variables, as in tailer: the tests set them once (TestMain) or in a
// test that runs alone.
var (
	now                  = time.Now
	random     io.Reader = rand.Reader
	getenv               = os.Getenv
	hostname             = os.Hostname
	isTerminal           = func(w io.Writer) bool {
		f, ok := w.(*os.File)
		if !ok {
			return false
		}
		st, err := f.Stat()
		return err == nil && st.Mode()&os.ModeCharDevice != 0
	}
)

// Run is mailcop-report.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, files, err := parseFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	if cfg.alert != nil {
		return runAlert(ctx, cfg, files, stdin, stderr)
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	s := newStats(cfg.loc, cfg.top)
	s.warnings = cfg.warnings
	var lv *live
	if cfg.mode == "live" {
		lv = &live{w: out, eng: watch.New(watch.Defaults()), loc: cfg.loc, m: cfg.m, colour: cfg.colour, all: cfg.match != nil}
	}
	var f2b *fail2banWriter
	if cfg.mode == "fail2ban" {
		f2b = &fail2banWriter{w: out}
	}
	how := cli.RecordReading{
		Host: cfg.host,
		Warn: func(se *record.SyntaxError) {
			out.Flush()
			fmt.Fprintf(stderr, "%v\n", se)
		},
	}
	if lv != nil || f2b != nil {
		// Never sit on a line while the pipeline upstream is quiet.
		how.FlushBeforeBlock = out.Flush
	}
	bad, err := cli.EachRecord(ctx, files, stdin, how, func(r *record.Record, _ string, _ int) error {
		matched := cfg.match == nil || cfg.match.ok(r)
		switch {
		case f2b != nil:
			if matched {
				return writeErr(f2b.add(r))
			}
		case lv != nil:
			// -live judges a login on everything before it, and shows
			// only what -match asks for.
			return writeErr(lv.add(r, matched))
		case matched:
			s.add(r)
		}
		return nil
	})
	if err != nil {
		out.Flush()
		return err
	}
	if f2b != nil && f2b.skipped > 0 {
		out.Flush()
		fmt.Fprintf(stderr, "warning: %d failed attempts without a valid address or time not written\n", f2b.skipped)
	}
	if lv == nil && f2b == nil && cfg.stateDir != "" {
		err := s.addWatchAlarms(cfg.stateDir, func(err error) {
			fmt.Fprintf(stderr, "warning: %v\n", err)
		})
		if err != nil {
			return err
		}
	}
	if lv == nil && f2b == nil {
		host := cfg.host
		if host == "" {
			host = s.onlyHost()
		}
		if host == "" {
			host, _ = hostname()
		}
		sum := s.summary(cfg.m, clip(host, 64))
		switch cfg.mode {
		case "html":
			err = writeHTML(out, sum)
		case "mail":
			err = writeMail(out, sum, cfg.to, cfg.from, now().In(cfg.loc), random)
		default:
			err = writeText(out, sum)
		}
		if err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if bad > 0 {
		return cli.ErrReported
	}
	return nil
}

// writeErr names a failed write for what it is.
func writeErr(err error) error {
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// onlyHost is the host every record named, or "" when they named none or
// several.
func (s *stats) onlyHost() string {
	host := ""
	for _, h := range s.hosts {
		if h.name == "" {
			continue
		}
		if host != "" {
			return ""
		}
		host = h.name
	}
	return host
}

func parseFlags(args []string, stdout, stderr io.Writer) (*config, []string, error) {
	fs := flag.NewFlagSet("mailcop-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	liveMode := fs.Bool("live", false, "one line per attempt as it comes")
	htmlMode := fs.Bool("html", false, "the summary as an HTML page")
	mailMode := fs.Bool("mail", false, "the summary as an email for sendmail -t")
	fail2banMode := fs.Bool("fail2ban", false, "one line per failed attempt for fail2ban")
	to := fs.String("to", "", "`recipients` of -mail")
	from := fs.String("from", "", "`sender` of -mail")
	lang := fs.String("lang", "en", "`language`: en or fr")
	top := fs.Int("top", 10, "`rows` per table")
	tz := fs.String("tz", "", "time `zone` of the times shown")
	host := fs.String("host", "", "only this server's records, and its `name` in the title")
	match := fs.String("match", "", "only records matching `word`")
	colour := fs.String("color", "auto", "colour `when`: auto, always or never")
	warnings := fs.String("warnings", "", "a `file` of warnings to head the summary with")
	alertMode := fs.Bool("alert", false, "watch: mail the logins worth an alarm")
	learn := fs.Bool("learn", false, "with -alert: learn the histories, alarm for nothing")
	stateDir := fs.String("state-dir", "", "`dir` of -alert's state")
	notify := fs.String("notify", "", "`command` run for each alarm")
	quiet := fs.Duration("quiet", 24*time.Hour, "one alarm per account and address per `duration`")
	gather := fs.Duration("gather", 10*time.Second, "how long an alarm waits for others (`duration`)")
	sendmail := fs.String("sendmail", "", "the mail `command`")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return nil, nil, err
	}
	cfg := &config{mode: "text", top: *top, host: *host}
	modes := 0
	for _, m := range []struct {
		on   bool
		name string
	}{{*liveMode, "live"}, {*htmlMode, "html"}, {*mailMode, "mail"}, {*fail2banMode, "fail2ban"}, {*alertMode, "alert"}} {
		if m.on {
			modes++
			cfg.mode = m.name
		}
	}
	if modes > 1 {
		return nil, nil, cli.Usagef(usage, "-live, -html, -mail, -fail2ban and -alert exclude each other")
	}
	if cfg.mode != "alert" && (*learn || *notify != "" || *sendmail != "") {
		return nil, nil, cli.Usagef(usage, "-learn, -notify and -sendmail go with -alert")
	}
	if cfg.mode == "live" && *stateDir != "" {
		return nil, nil, cli.Usagef(usage, "-state-dir goes with -alert and the summary")
	}
	cfg.stateDir = *stateDir
	switch *lang {
	case "en":
		cfg.m = english
	case "fr":
		cfg.m = french
	default:
		return nil, nil, cli.Usagef(usage, "-lang %q: want en or fr", *lang)
	}
	if cfg.top < 1 || cfg.top > 1000 {
		return nil, nil, cli.Usagef(usage, "-top %d: want 1 to 1000", cfg.top)
	}
	cfg.loc = time.Local // Go reads $TZ for it
	if *tz != "" {
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return nil, nil, cli.Usagef(usage, "-tz %q: unknown time zone", *tz)
		}
		cfg.loc = loc
	}
	if strings.ContainsAny(*host, "\r\n") {
		return nil, nil, cli.Usagef(usage, "-host: %v", errLineBreak)
	}
	if *match != "" {
		cfg.match = newMatcher(*match)
	}
	if *warnings != "" {
		if cfg.mode == "live" {
			return nil, nil, cli.Usagef(usage, "-warnings goes with a summary, not -live")
		}
		var err error
		if cfg.warnings, err = readWarnings(*warnings); err != nil {
			return nil, nil, err
		}
	}
	switch *colour {
	case "always":
		cfg.colour = true
	case "never":
	case "auto":
		cfg.colour = isTerminal(stdout) && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
	default:
		return nil, nil, cli.Usagef(usage, "-color %q: want auto, always or never", *colour)
	}
	if cfg.mode != "mail" && cfg.mode != "alert" {
		if *to != "" || *from != "" {
			return nil, nil, cli.Usagef(usage, "-to and -from go with -mail and -alert")
		}
		return cfg, fs.Args(), nil
	}
	if *to == "" {
		*to = getenv("MAILCOP_TO")
	}
	if cfg.mode == "alert" {
		ac, err := alertFlags(*learn, *stateDir, *notify, *sendmail, *quiet, *gather, strings.TrimSpace(*to) != "")
		if err != nil {
			return nil, nil, err
		}
		cfg.alert = ac
		if ac.sendmail == nil {
			return cfg, fs.Args(), nil
		}
	}
	if strings.TrimSpace(*to) == "" {
		return nil, nil, cli.Usagef(usage, "-%s: no recipient: give -to or set MAILCOP_TO", cfg.mode)
	}
	var err error
	if cfg.to, err = parseRecipients(*to); err != nil {
		return nil, nil, cli.Usagef(usage, "-to %q: %v", *to, err)
	}
	if *from == "" {
		*from = getenv("MAILCOP_FROM")
	}
	if *from == "" {
		h, _ := hostname()
		cfg.from = &mail.Address{Name: "mailcop", Address: "root@" + idDomain("x@"+h)}
	} else {
		list, err := parseAddresses(*from)
		if err == nil && len(list) != 1 {
			err = errors.New("want one address")
		}
		if err != nil {
			return nil, nil, cli.Usagef(usage, "-from %q: %v", *from, err)
		}
		cfg.from = list[0]
	}
	return cfg, fs.Args(), nil
}

// matcher is -match: one word against the address, the account, the
// country and the AS of each record.
type matcher struct {
	word   string
	lower  string
	addr   netip.Addr
	prefix netip.Prefix
	ipText bool // the word could begin an address: 45.155., 2001:db8:
	asn    int
}

func newMatcher(word string) *matcher {
	m := &matcher{word: word, lower: strings.ToLower(word)}
	if a, err := netip.ParseAddr(word); err == nil {
		m.addr = a.Unmap()
	} else if p, err := netip.ParsePrefix(word); err == nil {
		m.prefix = p.Masked()
	} else {
		m.ipText = strings.Trim(word, "0123456789abcdefABCDEF:.") == ""
	}
	if n, ok := strings.CutPrefix(strings.ToUpper(word), "AS"); ok {
		fmt.Sscanf(n, "%d", &m.asn)
		if fmt.Sprint(m.asn) != n {
			m.asn = 0
		}
	}
	return m
}

func (m *matcher) ok(r *record.Record) bool {
	if r.IP != "" {
		switch {
		case m.addr.IsValid():
			if a, err := netip.ParseAddr(r.IP); err == nil && a.Unmap() == m.addr {
				return true
			}
		case m.prefix.IsValid():
			if a, err := netip.ParseAddr(r.IP); err == nil && m.prefix.Contains(a.Unmap()) {
				return true
			}
		case m.ipText:
			if strings.HasPrefix(strings.ToLower(r.IP), m.lower) {
				return true
			}
		}
	}
	if r.User != "" && strings.Contains(strings.ToLower(r.User), m.lower) {
		return true
	}
	if r.Country != "" && (strings.EqualFold(r.Country, m.word) || strings.EqualFold(r.CountryName, m.word)) {
		return true
	}
	return m.asn != 0 && r.ASN == m.asn
}

// maxWarnings is how many lines of a -warnings file the summary shows: a
// stage that complains about every line must not fill the mail.
const maxWarnings = 20

// readWarnings reads the lines of a -warnings file, made safe for a
// terminal and cut to a readable length; a blank file is no warning.
func readWarnings(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	sc.Buffer(nil, 1<<20)
	more := 0
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" {
			continue
		}
		if len(lines) == maxWarnings {
			more++
			continue
		}
		lines = append(lines, clip(line, 300))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("(+%d)", more))
	}
	return lines, nil
}
