package count

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // -tz Europe/Paris must not depend on the machine's zoneinfo

	"github.com/mailcop/mailcop/internal/cli"
	gold "github.com/mailcop/mailcop/internal/golden"
)

func TestMain(m *testing.M) {
	// A case that forgets -tz must still give the same bytes everywhere.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// A golden case runs Run with args on testdata/<in>.in as stdin and
// compares stdout with testdata/<name>.out and what the user would see on
// stderr (cli.Exit's message included) with testdata/<name>.err, a
// missing file meaning empty. Several cases share an input, so that the
// flags are compared on the same records.
var goldenCases = []struct {
	name string
	in   string // testdata/<in>.in as stdin; "" for none
	args []string
	exit int
}{
	// Each grouping and format.
	{"ip", "attacks", nil, 0},
	{"ip-table", "attacks", []string{"-format", "table", "-tz", "Europe/Paris"}, 0},
	{"ip-tsv", "attacks", []string{"-format", "tsv"}, 0},
	{"user", "attacks", []string{"-by", "user"}, 0},
	{"user-table", "attacks", []string{"-by", "user", "-format", "table", "-tz", "Europe/Paris"}, 0},
	{"user-tsv", "attacks", []string{"-by", "user", "-format", "tsv"}, 0},
	{"country", "attacks", []string{"-by", "country"}, 0},
	{"country-table", "attacks", []string{"-by", "country", "-format", "table", "-tz", "Europe/Paris"}, 0},
	{"asn-table", "attacks", []string{"-by", "asn", "-format", "table"}, 0},
	{"service-reason-table", "attacks", []string{"-by", "service,reason", "-format", "table"}, 0},
	{"ip-user", "attacks", []string{"-by", "ip,user"}, 0},
	{"ip-user-table", "attacks", []string{"-by", "ip,user", "-format", "table"}, 0},
	{"host-extra", "attacks", []string{"-by", "host,note", "-outcome", "any"}, 0},
	{"outcome-success", "attacks", []string{"-by", "user", "-outcome", "success"}, 0},
	{"outcome-any-table", "attacks", []string{"-outcome", "any", "-format", "table"}, 0},

	// Top, min, sort, asc.
	{"top", "attacks", []string{"-top", "3"}, 0},
	{"top-asc-table", "attacks", []string{"-top", "3", "-asc", "-format", "table"}, 0},
	{"min", "attacks", []string{"-min", "3", "-format", "tsv"}, 0},
	{"asc", "attacks", []string{"-asc", "-format", "tsv"}, 0},
	{"sort-key", "attacks", []string{"-sort", "key", "-format", "tsv"}, 0},
	{"sort-users", "attacks", []string{"-sort", "users", "-format", "tsv"}, 0},
	{"sort-ips", "attacks", []string{"-by", "user", "-sort", "ips", "-format", "tsv"}, 0},
	{"sort-countries", "attacks", []string{"-by", "user", "-sort", "countries", "-format", "tsv"}, 0},
	{"sort-first", "attacks", []string{"-sort", "first", "-format", "tsv"}, 0},
	{"sort-last", "attacks", []string{"-by", "user", "-sort", "last", "-format", "tsv"}, 0},
	{"ties-user", "ties", []string{"-by", "user", "-format", "tsv"}, 0},
	{"ties-ip-key", "ties", []string{"-sort", "key", "-format", "tsv"}, 0},

	// Derived keys: day and hour across midnight and the end of DST in
	// Paris (02:00-03:00 happens twice on 2026-10-25), net with masks.
	{"day-paris", "dst", []string{"-by", "day", "-tz", "Europe/Paris", "-sort", "key"}, 0},
	{"day-utc", "dst", []string{"-by", "day", "-tz", "UTC", "-sort", "key"}, 0},
	{"hour-paris", "dst", []string{"-by", "hour", "-tz", "Europe/Paris", "-sort", "key"}, 0},
	{"hour-paris-table", "dst", []string{"-by", "hour", "-tz", "Europe/Paris", "-sort", "key", "-format", "table"}, 0},
	{"day-hour-ip-tsv", "dst", []string{"-by", "day,hour,ip", "-tz", "Europe/Paris", "-sort", "key", "-format", "tsv"}, 0},
	{"dst-user", "dst", []string{"-by", "user"}, 0},
	{"net", "net", []string{"-by", "net"}, 0},
	{"net-table", "net", []string{"-by", "net", "-format", "table"}, 0},
	{"net-mask", "net", []string{"-by", "net", "-mask", "16,48", "-sort", "key", "-format", "tsv"}, 0},
	{"net-mask-v4", "net", []string{"-by", "net", "-mask", "32", "-sort", "key", "-format", "tsv"}, 0},
	{"net-key", "net", []string{"-by", "net", "-sort", "key", "-format", "tsv"}, 0},
	{"ip-key", "net", []string{"-by", "ip", "-sort", "key", "-format", "tsv"}, 0},
	// A network is labelled with a scope only when it lies inside the
	// reserved block: 0.0.0.0/0 is no documentation network.
	{"scope-mask-zero", "scope", []string{"-by", "net", "-mask", "0,0", "-sort", "key", "-format", "tsv"}, 0},
	{"scope-mask-8", "scope", []string{"-by", "net", "-mask", "8,16", "-sort", "key", "-format", "table"}, 0},
	{"scope-net", "scope", []string{"-by", "net", "-sort", "key"}, 0},
	{"scope-ip", "scope", []string{"-by", "ip", "-sort", "key", "-format", "short"}, 0},

	// Many servers in one log: per server, one server, and one attacker
	// of two servers counted as one address.
	{"servers-by-host", "servers", []string{"-by", "host", "-format", "tsv"}, 0},
	{"servers-by-ip", "servers", []string{"-by", "ip", "-format", "tsv"}, 0},
	{"servers-by-host-ip", "servers", []string{"-by", "host,ip", "-format", "table", "-tz", "UTC"}, 0},
	{"servers-host-mx1", "servers", []string{"-host", "mx1", "-format", "tsv"}, 0},

	// The old scripts' looks, the biggest last.
	{"ip-short", "attacks", []string{"-format", "short", "-asc"}, 0},
	{"user-short", "attacks", []string{"-by", "user", "-format", "short", "-asc"}, 0},
	{"country-short", "attacks", []string{"-by", "country", "-format", "short", "-asc"}, 0},
	{"net-short", "net", []string{"-by", "net", "-format", "short", "-asc"}, 0},
	{"hostile-short", "hostile", []string{"-by", "user", "-format", "short"}, 0},

	// Usernames are attacker-chosen.
	{"hostile-table", "hostile", []string{"-by", "user", "-format", "table"}, 0},
	{"hostile-tsv", "hostile", []string{"-by", "user", "-format", "tsv"}, 0},
	{"hostile-ndjson", "hostile", []string{"-by", "user"}, 0},
	{"hostile-ip-user-table", "hostile", []string{"-by", "ip,user", "-format", "table", "-sort", "key"}, 0},

	// Bad input: named, skipped, exit 1.
	{"bad", "bad", []string{"-by", "user"}, 1},
	{"bad-file", "", []string{"-by", "user", "-format", "table", "testdata/bad.in", "testdata/ties.in"}, 1},
	{"missing-file", "", []string{"testdata/no-such.in"}, 1},

	// Usage.
	{"help", "", []string{"-h"}, 0},
	{"usage-flag", "", []string{"-bye", "ip"}, 2},
	{"usage-by-empty", "", []string{"-by", "ip,"}, 2},
	{"usage-by-twice", "", []string{"-by", "ip,user,ip"}, 2},
	{"usage-by-reserved", "", []string{"-by", "count"}, 2},
	{"usage-format", "", []string{"-format", "json"}, 2},
	{"usage-sort", "", []string{"-sort", "size"}, 2},
	{"usage-outcome", "", []string{"-outcome", "failed"}, 2},
	{"usage-top", "", []string{"-top", "-1"}, 2},
	{"usage-mask", "", []string{"-by", "net", "-mask", "33"}, 2},
	{"usage-tz", "", []string{"-tz", "Mars/Olympus_Mons"}, 2},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdin := gold.Input(t, tc.in)
			stdout, stderr, code := run(tc.args, stdin)
			if code != tc.exit {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tc.exit, stderr)
			}
			gold.Check(t, filepath.Join("testdata", tc.name+".out"), stdout)
			gold.Check(t, filepath.Join("testdata", tc.name+".err"), stderr)
			// Same input, same bytes.
			if again, _, _ := run(tc.args, stdin); !bytes.Equal(again, stdout) {
				t.Errorf("second run gave different output:\n%s\nfirst:\n%s", again, stdout)
			}
		})
	}
}

// run runs the stage as cli.Main would, returning stdout, stderr as the
// user sees it, and the exit status.
func run(args []string, stdin []byte) (stdout, stderr []byte, code int) {
	var out, errb bytes.Buffer
	ew := cli.NewPrefixWriter(&errb, "mailcop-count: ")
	err := Run(context.Background(), args, bytes.NewReader(stdin), &out, ew)
	code = cli.Exit(ew, err)
	return out.Bytes(), errb.Bytes(), code
}

// The counts do not depend on the order of the records: the same records
// in reverse give the same bytes (ties.in has no tie in first or last
// times, which do keep the first seen).
func TestOrderIndependent(t *testing.T) {
	in := gold.Input(t, "ties")
	lines := bytes.SplitAfter(bytes.TrimSuffix(in, []byte("\n")), []byte("\n"))
	slices.Reverse(lines)
	for i := range lines {
		lines[i] = append(bytes.TrimSuffix(lines[i], []byte("\n")), '\n')
	}
	rev := bytes.Join(lines, nil)
	for _, args := range [][]string{{"-by", "user"}, {"-by", "ip"}, {"-by", "net,user", "-format", "table"}, {"-sort", "ips", "-by", "user"}} {
		a, _, _ := run(args, in)
		b, _, _ := run(args, rev)
		if !bytes.Equal(a, b) {
			t.Errorf("%q: reversed input gave\n%s\nwant\n%s", args, b, a)
		}
	}
}

// -asc prints exactly the reverse of the default order, for any sort.
func TestAscReverses(t *testing.T) {
	in := gold.Input(t, "attacks")
	for _, sort := range []string{"count", "users", "ips", "countries", "first", "last", "key"} {
		for _, by := range []string{"ip", "user", "country,service"} {
			args := []string{"-by", by, "-sort", sort, "-outcome", "any"}
			fwd, _, _ := run(args, in)
			back, _, _ := run(append(args, "-asc"), in)
			lines := strings.SplitAfter(string(fwd), "\n")
			slices.Reverse(lines)
			if want := strings.Join(lines, ""); string(back) != want {
				t.Errorf("%q -asc:\n%s\nwant\n%s", args, back, want)
			}
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := bytes.Repeat([]byte(`{"event":"auth","outcome":"failure","ip":"192.0.2.1"}`+"\n"), 5000)
	var out, errb bytes.Buffer
	if err := Run(ctx, nil, bytes.NewReader(in), &out, &errb); err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q after cancel", out.Bytes())
	}
}
