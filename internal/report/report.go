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

const usage = `usage: mailcop-report [-live | -html | -mail [-to addr,...] [-from addr]]
                      [-lang en|fr] [-top n] [-tz zone] [-host name]
                      [-match word] [-color auto|always|never] [file ...]
       mailcop-report -alert [-learn] [-state-dir dir] [-to addr,...] [-from addr]
                      [-notify 'cmd arg...'] [-quiet d] [-gather d] [-lang en|fr]
                      [-tz zone] [-host name] [file ...]

Mailcop-report reads auth records (one JSON object per line, as
mailcop-parse and mailcop-geo write them) from the files, or standard
input, and writes them for people. By default it prints, at the end of
its input, a summary: the period, the attempts, addresses, accounts and
countries; the possible compromises (logins from addresses that failed
before, or from an AS attacking the account); the top countries,
addresses, accounts and networks; attempts per hour; clients repeating one
wrong password; the last attempts; fail2ban's bans when its log was read;
and how many auth lines mailcop-parse did not understand.

  -live         one line per failed attempt as it comes (time, account,
                address, country); a login from an address that failed
                before is an alert line. Colour only on a terminal
  -html         the summary as one self-contained HTML page
  -mail         the summary as an email (text and HTML) for sendmail -t -oi
  -to addr,...  recipients of -mail (default $MAILCOP_TO)
  -from addr    sender of -mail (default $MAILCOP_FROM, else
                mailcop <root@this host>)
  -lang l       en (default) or fr
  -top n        rows per table, and last attempts shown (default 10)
  -tz zone      time zone of the times shown (default $TZ, else the
                system's)
  -host name    the server the title and subject name (default: the
                records' host when they name one, else this machine's)
  -match word   only records whose address (an address, a prefix such as
                45.155. or a network 45.155.0.0/16), account (any part,
                any case), country (code or name) or AS (AS4134) matches;
                with -live, their logins too
  -color when   auto (default), always or never

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
	mode   string // text, html, mail, live
	m      *msgs
	top    int
	loc    *time.Location
	host   string
	match  *matcher
	colour bool
	to     []*mail.Address
	from   *mail.Address
	alert  *alertConfig
	// The summary: the watch's state, whose alarms of the period join the
	// possible compromises.
	stateDir string
}

// Hooks for tests: the clock and the random source of -mail's Date,
// Message-ID and boundary, the environment, the machine's name, and
// whether stdout is a terminal.
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
	var lv *live
	if cfg.mode == "live" {
		lv = &live{w: out, eng: watch.New(watch.Defaults()), loc: cfg.loc, m: cfg.m, colour: cfg.colour, all: cfg.match != nil}
	}
	bad := 0
	err = cli.EachInput(files, stdin, func(in cli.Input) error {
		rd := record.NewReader(in.R, in.Name)
		rd.Warn = func(se *record.SyntaxError) {
			bad++
			out.Flush()
			fmt.Fprintf(stderr, "%v\n", se)
		}
		if lv != nil {
			// Never sit on a line while the pipeline upstream is quiet.
			rd.FlushBeforeBlock(out.Flush)
		}
		for n := 0; rd.Scan(); n++ {
			if n&1023 == 1023 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := rd.Record()
			matched := cfg.match == nil || cfg.match.ok(r)
			if lv != nil {
				// -live judges a login on everything before it, and
				// shows only what -match asks for.
				if err := lv.add(r, matched); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
				continue
			}
			if matched {
				s.add(r)
			}
		}
		return rd.Err()
	})
	if err != nil {
		out.Flush()
		return err
	}
	if lv == nil && cfg.stateDir != "" {
		err := s.addWatchAlarms(cfg.stateDir, func(err error) {
			fmt.Fprintf(stderr, "warning: %v\n", err)
		})
		if err != nil {
			return err
		}
	}
	if lv == nil {
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

// onlyHost is the host every record named, or "" when they named none or
// several.
func (s *stats) onlyHost() string {
	host := ""
	for h := range s.hosts {
		if h == "" {
			continue
		}
		if host != "" {
			return ""
		}
		host = h
	}
	return host
}

func parseFlags(args []string, stdout, stderr io.Writer) (*config, []string, error) {
	fs := flag.NewFlagSet("mailcop-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	liveMode := fs.Bool("live", false, "one line per attempt as it comes")
	htmlMode := fs.Bool("html", false, "the summary as an HTML page")
	mailMode := fs.Bool("mail", false, "the summary as an email for sendmail -t")
	to := fs.String("to", "", "`recipients` of -mail")
	from := fs.String("from", "", "`sender` of -mail")
	lang := fs.String("lang", "en", "`language`: en or fr")
	top := fs.Int("top", 10, "`rows` per table")
	tz := fs.String("tz", "", "time `zone` of the times shown")
	host := fs.String("host", "", "the server's `name` in the title")
	match := fs.String("match", "", "only records matching `word`")
	colour := fs.String("color", "auto", "colour `when`: auto, always or never")
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
	}{{*liveMode, "live"}, {*htmlMode, "html"}, {*mailMode, "mail"}, {*alertMode, "alert"}} {
		if m.on {
			modes++
			cfg.mode = m.name
		}
	}
	if modes > 1 {
		return nil, nil, cli.Usagef(usage, "-live, -html, -mail and -alert exclude each other")
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
	if cfg.to, err = parseAddresses(*to); err != nil {
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
