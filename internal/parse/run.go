package parse

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
)

const usage = `usage: mailcop-parse [-since WHEN] [-until WHEN] [-year YYYY] [-tz ZONE]
                     [-unmatched] [-raw] [-v] [FILE...]

Reads postfix and dovecot log lines — plain, as mailcop-tail records, or as
journalctl -o json — from the FILEs or standard input, and writes one JSON
record per auth event: failed attempts (each real attempt counted once)
and successful logins.

  -since WHEN   only events at or after WHEN: a duration back from now
                (24h, 90m), a time (2026-11-26, 2026-11-26T08:00,
                2026-11-26 08:00:00, RFC 3339), today or yesterday
  -until WHEN   only events before WHEN (same forms)
  -year YYYY    year of stamps that carry none (default: inferred, no stamp
                lies more than a day after the file's modification time,
                or after now when reading a stream)
  -tz ZONE      zone of stamps that carry none (default: $TZ, else local)
  -unmatched    also emit {"event":"unmatched","line":...} for dovecot and
                postfix lines about auth that no rule understood, and at the
                end {"event":"coverage",...} for a log that cannot show every
                attempt (dovecot's auth process logged nothing)
  -raw          keep each event's log line in "line" (clear passwords hidden)
  -v            print counts of lines, events and unmatched lines at the end,
                and what the log cannot show

Example:
  mailcop-parse -since today /var/log/mail.log | jq -r 'select(.outcome=="failure") | .ip' | sort | uniq -c
`

// Run is mailcop-parse.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailcop-parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		since, until, tz string
		cfg              Config
		verbose          bool
	)
	fs.StringVar(&since, "since", "", "only events at or after `WHEN`")
	fs.StringVar(&until, "until", "", "only events before `WHEN`")
	fs.IntVar(&cfg.Year, "year", 0, "year of stamps without one")
	fs.StringVar(&tz, "tz", "", "`ZONE` of stamps without one")
	fs.BoolVar(&cfg.Unmatched, "unmatched", false, "emit unmatched auth lines")
	fs.BoolVar(&cfg.Raw, "raw", false, "keep the log line")
	fs.BoolVar(&verbose, "v", false, "print counts at the end")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return err
	}
	cfg.Location = time.Local
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return cli.Usagef(usage, "-tz %s: unknown zone", tz)
		}
		cfg.Location = loc
	}
	now := time.Now()
	var err error
	if cfg.Since, err = When(since, now, cfg.Location); err != nil {
		return cli.Usagef(usage, "-since: %v", err)
	}
	if cfg.Until, err = When(until, now, cfg.Location); err != nil {
		return cli.Usagef(usage, "-until: %v", err)
	}

	tuneGC()
	w := record.NewWriter(stdout)
	bad := 0
	warn := func(e error) {
		bad++
		w.Flush()
		fmt.Fprintf(stderr, "%v\n", e)
	}
	p := NewJSONParser(cfg, w.WriteJSON, warn)
	runErr := cli.EachInput(fs.Args(), stdin, func(in cli.Input) error {
		return p.Read(in.R, in.Name, in.ModTime, w.Flush)
	})
	if runErr == nil {
		runErr = p.Finish()
	}
	if err := w.Flush(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write: %w", err)
	}
	if verbose {
		p.writeVerbose(stderr)
	}
	if runErr != nil {
		return runErr
	}
	if bad > 0 {
		return cli.ErrReported
	}
	return nil
}

// When reads a -since/-until value: a duration back from now, a date or
// time in loc, RFC 3339, "today" or "yesterday" (calendar days in loc).
func When(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	midnight := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	switch s {
	case "today":
		return midnight(now), nil
	case "yesterday":
		y, m, d := now.In(loc).Date()
		return time.Date(y, m, d-1, 0, 0, 0, 0, loc), nil
	case "now":
		return now, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q: a duration back from now is positive", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want a duration (24h), a time (2026-11-26 08:00), today or yesterday, not " + fmt.Sprintf("%q", s))
}

// tuneGC trades a little memory for speed: parse allocates small strings
// at a high rate and keeps little, so the default GC target (100%) makes
// the collector run far more often than its few MiB of live data need.
// The memory limit keeps the peak well under SPEC's 64 MiB. GOGC and
// GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
}
