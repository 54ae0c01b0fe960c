package sim

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/watch"
)

const usage = `usage: simwatch [-accounts n] [-weeks n] [-learn n] [-seed n] [-hashes] [-quiet d] [-samples]

Simwatch generates weeks of a mail server's logins (office workers,
phones on mobile carriers, travellers, VPN users, stale clients, typos,
new accounts) under a background of attacks, with a known set of
break-ins, runs them through the watch engine as mailcop-report -alert
does, and prints the false alarms per 1,000 accounts a week, by class
and by population, and the break-ins caught.

  -accounts n   accounts (default 10000)
  -weeks n      weeks measured (default 8)
  -learn n      weeks learnt before, as -alert -learn (default 4)
  -seed n       the generator's seed (default 1)
  -hashes       the server logs wrong passwords' hashes (auth_verbose_passwords=sha1)
  -quiet d      one alarm per account and address per d (default 24h)
  -samples      print a few false alarms of each class and the break-ins missed

Example:
  go run ./internal/watch/sim/simwatch -accounts 10000 -weeks 8
`

// Run is the simwatch command.
func Run(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simwatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := DefaultConfig()
	fs.IntVar(&cfg.Accounts, "accounts", cfg.Accounts, "`n` accounts")
	fs.IntVar(&cfg.Weeks, "weeks", cfg.Weeks, "`n` weeks measured")
	fs.IntVar(&cfg.Learn, "learn", cfg.Learn, "`n` weeks learnt first")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "the generator's `seed`")
	fs.BoolVar(&cfg.Hashes, "hashes", false, "the server logs wrong passwords' hashes")
	fs.DurationVar(&cfg.Quiet, "quiet", cfg.Quiet, "one alarm per account and address per `duration`")
	samples := fs.Bool("samples", false, "print a few false alarms of each class and the break-ins missed")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef(usage, "unexpected argument %q", fs.Arg(0))
	}
	if cfg.Accounts < 100 || cfg.Weeks < 1 || cfg.Learn < 0 || cfg.Quiet < 0 {
		return cli.Usagef(usage, "want -accounts 100 or more, -weeks 1 or more, -learn and -quiet not negative")
	}
	res := Simulate(cfg)
	res.Write(stdout, *samples)
	return nil
}

// alarmClasses are the classes that raise an alarm, in the README's
// order.
var alarmClasses = []watch.Class{watch.Brute, watch.Spray, watch.Network, watch.AS, watch.NewCountry, watch.Travel}

// Rate is n alarms per 1,000 accounts a week.
func (res *Result) Rate(n int64) float64 {
	return float64(n) * 1000 / float64(res.Config.Accounts) / float64(res.Config.Weeks)
}

// FalseTotal is every false alarm.
func (res *Result) FalseTotal() int64 {
	var n int64
	for _, c := range alarmClasses {
		n += res.False[c]
	}
	return n
}

// Write prints the tables.
func (res *Result) Write(w io.Writer, samples bool) {
	cfg := res.Config
	hashes := "not logged"
	if cfg.Hashes {
		hashes = "logged"
	}
	fmt.Fprintf(w, "%d accounts, %d weeks measured after %d learnt, seed %d, wrong passwords' hashes %s, quiet %v\n",
		cfg.Accounts, cfg.Weeks, cfg.Learn, cfg.Seed, hashes, cfg.Quiet)
	fmt.Fprintf(w, "owners' logins judged: %d (%.0f per account a week)\n\n", res.Logins, float64(res.Logins)/float64(cfg.Accounts)/float64(cfg.Weeks))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tfalse alarms\tper 1,000 accounts a week\t")
	for _, c := range alarmClasses {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t\n", c, res.False[c], res.Rate(res.False[c]))
	}
	fmt.Fprintf(tw, "all\t%d\t%.1f\t\n", res.FalseTotal(), res.Rate(res.FalseTotal()))
	tw.Flush()
	fmt.Fprintf(w, "accounts with a false alarm in %d weeks: %d (%.1f%%)\n\n", cfg.Weeks, res.Alarmed, 100*float64(res.Alarmed)/float64(cfg.Accounts))

	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "per 1,000 accounts of it a week\taccounts\t")
	for _, c := range alarmClasses {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw, "all\t")
	for p := range nPops {
		n := res.Accounts[p]
		if n == 0 {
			continue
		}
		per := func(x int64) float64 { return float64(x) * 1000 / float64(n) / float64(cfg.Weeks) }
		fmt.Fprintf(tw, "%s\t%d\t", popNames[p], n)
		var all int64
		for _, c := range alarmClasses {
			fmt.Fprintf(tw, "%.1f\t", per(res.FalseByPop[p][c]))
			all += res.FalseByPop[p][c]
		}
		fmt.Fprintf(tw, "%.1f\t\n", per(all))
	}
	tw.Flush()
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "break-in\tinjected\tcaught\tby its rule\tas\t")
	for k := bkBrute; k < nBK; k++ {
		var as []string
		for _, c := range alarmClasses {
			if n := res.CaughtAs[k][c]; n > 0 {
				as = append(as, fmt.Sprintf("%s %d", c, n))
			}
		}
		name := bkNames[k]
		if !k.Expected() {
			name += " (not expected)"
		}
		rule := "-"
		if k.Expected() {
			rule = fmt.Sprintf("%d (%s)", res.ByRule[k], bkRule[k])
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t\n", name, res.Breakins[k], res.Caught[k], rule, strings.Join(as, ", "))
	}
	tw.Flush()
	if !samples {
		return
	}
	fmt.Fprintln(w, "\nfalse alarms, a few of each class:")
	for _, c := range alarmClasses {
		for _, s := range res.FalseSample[c] {
			fmt.Fprintf(w, "  %s %s\n", c, s)
		}
	}
	for _, m := range res.Missed {
		fmt.Fprintf(w, "missed: %s\n", m)
	}
}
