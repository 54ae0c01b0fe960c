// Package count is the mailcop-count stage: it groups auth records by the
// fields named with -by and writes one line per group, with how many
// attempts the group made, when it first and last did, and the distinct
// counts that reveal a tactic: many users per address is password
// spraying, many addresses per user a distributed brute force.
//
// It keeps counters per group, never the records, so memory grows with the
// number of groups and of distinct values, whatever the length of the log.
// Output is sorted with ties broken by key: the same input gives the same
// bytes.
package count

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
)

const usage = `usage: mailcop-count [-by field[,field...]] [-outcome failure|success|any]
                     [-top n] [-min n] [-sort order] [-asc]
                     [-format ndjson|table|tsv|short] [-tz zone] [-mask v4[,v6]]
                     [-host name] [file ...]

Mailcop-count reads auth records (one JSON object per line, as mailcop-parse
and mailcop-geo write them) from the files, or standard input, and counts the
attempts by the fields named with -by. Only records with "event":"auth" count,
each for its "attempts" (1 when absent). Records that are not JSON objects are
reported with their file and line, skipped, and make the exit status 1.

  -by field,...   group by these fields (default ip): any record field (ip, user,
                  country, asn, service, reason, host, ...), or
                    net   the network around ip (see -mask)
                    day   the local date of time, 2026-11-25
                    hour  the local hour of time, 2026-11-25T06:00+01:00
  -outcome o      failure (default), success or any
  -sort order     count (default), users, ips, countries: biggest first;
                  first, last: latest first; key: by the -by fields, addresses
                  in numeric order. Ties fall to the key
  -top n          keep only the first n groups (0, the default: all)
  -min n          keep only groups of at least n attempts
  -asc            print in reverse, the top group last, right above the prompt
  -format f       ndjson (default); table, aligned for people; tsv, with a
                  header line, for sort and awk; short, the old scripts'
                  looks: the count and the value (uniq -c's), an address
                  with its country, a country by its name
  -tz zone        time zone of day, hour and the table's times (default $TZ,
                  else the system's)
  -mask v4[,v6]   prefix lengths of net (default 24,64)
  -host name      only the records of this server (and those naming none, as
                  dovecot's own log); -by host tells the servers apart

Each group is one flat object: its -by fields under their own names, then
count, first and last (RFC 3339, as in the records), the distinct users, ips
and countries the key does not already fix, and, with -by user, exists: true
when a password mismatch or a login proves the account, false when only
unknown_user was seen. With -by ip or net, country, country_name, scope, asn
and as_org come along; with -by country, country_name; with -by asn, as_org.
Empty values are left out.

Example:
  mailcop-parse /var/log/mail.log | mailcop-geo | mailcop-count -by ip -top 10 -format table
`

// Run is mailcop-count.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, files, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	c := newCounter(cfg)
	out := bufio.NewWriterSize(stdout, 64<<10)
	bad, err := cli.EachRecord(ctx, files, stdin,
		cli.RecordReading{Host: cfg.host, Warn: func(se *record.SyntaxError) { fmt.Fprintf(stderr, "%v\n", se) }},
		func(r *record.Record, _ string, _ int) error {
			c.add(r)
			return nil
		})
	if err != nil {
		return err
	}
	if err := c.write(out); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if bad > 0 {
		return cli.ErrReported
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, []string, error) {
	fs := flag.NewFlagSet("mailcop-count", flag.ContinueOnError)
	fs.SetOutput(stderr)
	by := fs.String("by", "ip", "group by these `fields`, comma-separated")
	outcome := fs.String("outcome", record.OutcomeFailure, "count `outcome`s failure, success or any")
	top := fs.Int("top", 0, "keep the first `n` groups")
	minCount := fs.Int("min", 0, "keep groups of at least `n` attempts")
	sortBy := fs.String("sort", "count", "sort `order`: count, users, ips, countries, first, last or key")
	asc := fs.Bool("asc", false, "print in reverse, the top group last")
	format := fs.String("format", "ndjson", "output `format`: ndjson, table, tsv or short")
	tz := fs.String("tz", "", "time `zone` of day, hour and table times")
	mask := fs.String("mask", "24,64", "`prefix lengths` of net, IPv4[,IPv6]")
	host := fs.String("host", "", "only the records of the server `name`")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return config{}, nil, err
	}
	cfg := config{outcome: *outcome, top: *top, min: *minCount, sort: *sortBy, asc: *asc, format: *format, host: *host}
	var err error
	if cfg.by, err = parseBy(*by); err != nil {
		return config{}, nil, cli.Usagef(usage, "%v", err)
	}
	if cfg.mask4, cfg.mask6, err = parseMask(*mask); err != nil {
		return config{}, nil, cli.Usagef(usage, "%v", err)
	}
	switch {
	case !oneOf(cfg.outcome, record.OutcomeFailure, record.OutcomeSuccess, anyOutcome):
		return config{}, nil, cli.Usagef(usage, "-outcome %q: want failure, success or any", cfg.outcome)
	case !oneOf(cfg.sort, "count", "users", "ips", "countries", "first", "last", "key"):
		return config{}, nil, cli.Usagef(usage, "-sort %q: want count, users, ips, countries, first, last or key", cfg.sort)
	case !oneOf(cfg.format, "ndjson", "table", "tsv", "short"):
		return config{}, nil, cli.Usagef(usage, "-format %q: want ndjson, table, tsv or short", cfg.format)
	case cfg.top < 0:
		return config{}, nil, cli.Usagef(usage, "-top %d: want 0 (all) or more", cfg.top)
	case cfg.min < 0:
		return config{}, nil, cli.Usagef(usage, "-min %d: want 0 or more", cfg.min)
	}
	cfg.loc = time.Local // Go reads $TZ for it
	if *tz != "" {
		if cfg.loc, err = time.LoadLocation(*tz); err != nil {
			return config{}, nil, cli.Usagef(usage, "-tz %q: %v", *tz, unwrapAll(err))
		}
	}
	return cfg, fs.Args(), nil
}

func oneOf(s string, choices ...string) bool {
	for _, c := range choices {
		if s == c {
			return true
		}
	}
	return false
}

// unwrapAll returns the innermost error, to say "unknown time zone X"
// without repeating the zone name the message already gives.
func unwrapAll(err error) error {
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return err
		}
		err = inner
	}
}

// write sorts the groups and writes them in the chosen format.
func (c *counter) write(w *bufio.Writer) error {
	rows := c.rows()
	switch c.cfg.format {
	case "table":
		return c.writeTable(w, rows)
	case "tsv":
		return c.writeTSV(w, rows)
	case "short":
		return c.writeShort(w, rows)
	}
	return c.writeNDJSON(w, rows)
}
