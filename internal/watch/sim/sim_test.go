package sim

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/cli"
)

var table = flag.Bool("table", false, "print the measurement's tables")

// testConfig is small enough for every go test: 500 accounts, 2 weeks
// learnt, 3 measured.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Accounts, cfg.Learn, cfg.Weeks = 500, 2, 3
	return cfg
}

// maxFalse bounds the false alarms per 1,000 accounts a week. Seeds 1
// to 6 give 45 to 59, most of them the first login from a trip's or a
// VPN exit's new country, which the rules are meant to report; the
// bound leaves room for a seed's luck, and is 150 times under what the
// rules raised before they learnt the owners' own networks (16,350).
const maxFalse = 100

// TestFalseAlarms runs generated weeks through the rules as -alert
// does: the owners' logins must raise few alarms, and every break-in of
// a kind the rules are meant to catch must raise one, by its own rule.
func TestFalseAlarms(t *testing.T) {
	if raceEnabled {
		t.Skip("one goroutine, ten times slower under -race: make test runs it without")
	}
	res := Simulate(testConfig())
	if *table || t.Failed() {
		var b bytes.Buffer
		res.Write(&b, true)
		t.Log("\n" + b.String())
	}
	if res.Logins < 500*3*300 {
		t.Errorf("%d owners' logins, want at least 300 per account a week", res.Logins)
	}
	if r := res.Rate(res.FalseTotal()); r > maxFalse {
		t.Errorf("%.1f false alarms per 1,000 accounts a week, want at most %d", r, maxFalse)
	}
	for k := bkBrute; k < nBK; k++ {
		if !k.Expected() {
			continue
		}
		if res.Breakins[k] < 3 {
			t.Errorf("%s: %d injected, want 3 or more", bkNames[k], res.Breakins[k])
		}
		if res.ByRule[k] != res.Breakins[k] {
			t.Errorf("%s: %d of %d caught by %s (%d caught in all)", bkNames[k], res.ByRule[k], res.Breakins[k], bkRule[k], res.Caught[k])
		}
	}
	for _, m := range res.Missed {
		if !strings.HasPrefix(m, bkNames[bkLocal]) {
			t.Errorf("missed %s", m)
		}
	}
}

// TestSimulationDeterministic: one seed, one measurement.
func TestSimulationDeterministic(t *testing.T) {
	cfg := testConfig()
	cfg.Accounts, cfg.Learn, cfg.Weeks = 100, 1, 1
	var a, b bytes.Buffer
	Simulate(cfg).Write(&a, true)
	Simulate(cfg).Write(&b, true)
	if a.String() != b.String() {
		t.Errorf("two runs differ:\n%s\n%s", a.String(), b.String())
	}
}

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"-accounts", "100", "-weeks", "1", "-learn", "1"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"100 accounts, 1 weeks measured after 1 learnt", "new_country", "impossible travel"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	var ue *cli.UsageError
	if err := Run(context.Background(), []string{"-accounts", "5"}, nil, &out, &errb); !errors.As(err, &ue) {
		t.Errorf("-accounts 5: %v, want a usage error", err)
	}
}
