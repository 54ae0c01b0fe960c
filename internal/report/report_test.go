package report

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // -tz Europe/Paris must not depend on the machine's zoneinfo

	"github.com/mailcop/mailcop/internal/cli"
	gold "github.com/mailcop/mailcop/internal/golden"
)

// TestMain pins what a report takes from its surroundings: the zone, the
// clock and randomness of -mail, the environment and the host name.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	now = func() time.Time { return time.Date(2026, 11, 26, 6, 25, 1, 0, time.UTC) }
	random = zeros{}
	getenv = func(string) string { return "" }
	hostname = func() (string, error) { return "testhost.example.net", nil }
	isTerminal = func(io.Writer) bool { return false }
	os.Exit(m.Run())
}

// zeros is a random source that is not: -mail's Message-ID and boundary
// come out the same in every run.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(i)
	}
	return len(b), nil
}

// run runs the stage as cli.Main would and returns its stdout, what the
// user would see on stderr, and the exit status.
func run(args []string, stdin io.Reader) ([]byte, string, int) {
	var out, errs bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	stderr := cli.NewPrefixWriter(&errs, "mailcop-report: ")
	code := cli.Exit(stderr, Run(context.Background(), args, stdin, &out, stderr))
	return out.Bytes(), errs.String(), code
}

// A golden case runs Run with args on testdata/<in>.in and compares
// stdout with testdata/<name>.out and stderr with testdata/<name>.err (a
// missing file means empty). go test -update rewrites them.
var goldenCases = []struct {
	name string
	in   string
	args []string
	exit int
}{
	// The sample day, as mailcop-parse writes it: no geo fields.
	{"sample", "sample", nil, 0},
	{"sample-fr", "sample", []string{"-lang", "fr"}, 0},
	{"sample-live", "sample", []string{"-live"}, 0},
	{"sample-paris-top3", "sample", []string{"-tz", "Europe/Paris", "-top", "3"}, 0},

	// With mailcop-geo's fields.
	{"geo", "geo", nil, 0},
	{"geo-fr", "geo", []string{"-lang", "fr"}, 0},
	{"geo-html", "geo", []string{"-html"}, 0},
	{"geo-html-fr", "geo", []string{"-html", "-lang", "fr"}, 0},
	{"geo-live-color", "geo", []string{"-live", "-color", "always"}, 0},
	{"geo-live-fr", "geo", []string{"-live", "-lang", "fr"}, 0},
	{"geo-mail", "geo", []string{"-mail", "-to", "admin@example.com, Ops <ops@example.com>", "-from", "mailcop <mailcop@mx1.example.com>"}, 0},
	{"geo-mail-fr", "geo", []string{"-mail", "-lang", "fr", "-to", "admin@example.com"}, 0},

	// Logins worth a look: spraying, an AS, postfix without a user, one
	// address guessing several hashes; a clean address into an account
	// under attack shows in -live only.
	{"as", "as", []string{"-tz", "Europe/Paris"}, 0},
	{"as-live", "as", []string{"-live", "-tz", "Europe/Paris"}, 0},

	// fail2ban's bans and the parser's unmatched lines.
	{"f2b", "f2b+geo", nil, 0},
	{"f2b-live", "f2b+geo", []string{"-live", "-top", "3"}, 0},

	// -fail2ban: one line per attempt, nothing but the address from the
	// record.
	{"sample-fail2ban", "sample", []string{"-fail2ban"}, 0},
	{"fail2ban", "fail2ban", []string{"-fail2ban"}, 0},
	{"hostile-fail2ban", "hostile", []string{"-fail2ban"}, 0},
	{"match-fail2ban", "geo", []string{"-fail2ban", "-match", "198.51.100.23"}, 0},
	{"bad-fail2ban", "bad", []string{"-fail2ban"}, 1},

	// -match.
	{"match-ip-live", "geo", []string{"-live", "-match", "198.51.100.23"}, 0},
	{"match-user", "geo", []string{"-match", "BOB", "-top", "3"}, 0},
	{"match-net", "geo", []string{"-match", "198.51.100.0/24", "-top", "3"}, 0},
	{"match-prefix-live", "geo", []string{"-live", "-match", "2001:db8:"}, 0},
	{"match-country-live", "geo", []string{"-live", "-match", "lithuania"}, 0},
	{"match-as-live", "geo", []string{"-live", "-match", "as64496"}, 0},

	// Days and servers.
	{"days", "days", []string{"-tz", "Europe/Paris"}, 0},
	{"days-html", "days", []string{"-html", "-tz", "Europe/Paris", "-top", "2"}, 0},
	// Two servers (and a line naming none): a section per server, an
	// address that attacked both counted once elsewhere; -host keeps one,
	// whatever the case of its name.
	{"servers", "servers", []string{"-tz", "UTC"}, 0},
	{"servers-html-fr", "servers", []string{"-html", "-lang", "fr", "-tz", "UTC"}, 0},
	{"servers-host", "servers", []string{"-host", "MX1", "-tz", "UTC"}, 0},

	// What the stages upstream said, at the head of the summary.
	{"warnings", "days", []string{"-tz", "Europe/Paris", "-warnings", "testdata/warnings.txt"}, 0},
	{"warnings-html-fr", "days", []string{"-html", "-lang", "fr", "-tz", "Europe/Paris", "-warnings", "testdata/warnings.txt"}, 0},
	{"usage-warnings-live", "", []string{"-live", "-warnings", "testdata/warnings.txt"}, 2},
	{"warnings-missing", "", []string{"-warnings", "testdata/nosuch.txt"}, 1},

	// Attacker text through every output.
	{"hostile", "hostile", nil, 0},
	{"hostile-html", "hostile", []string{"-html"}, 0},
	{"hostile-live", "hostile", []string{"-live", "-color", "always"}, 0},
	{"hostile-mail", "hostile", []string{"-mail", "-to", "root@localhost"}, 0},

	// Nothing in, bad lines in.
	{"empty", "", nil, 0},
	{"empty-html", "", []string{"-html", "-lang", "fr", "-host", "mx9"}, 0},
	{"bad", "bad", nil, 1},
	{"bad-live", "bad", []string{"-live"}, 1},

	// Usage.
	{"help", "", []string{"-h"}, 0},
	{"usage-lang", "", []string{"-lang", "de"}, 2},
	{"usage-top", "", []string{"-top", "0"}, 2},
	{"usage-modes", "", []string{"-live", "-mail"}, 2},
	{"usage-modes-fail2ban", "", []string{"-fail2ban", "-html"}, 2},
	{"usage-no-to", "", []string{"-mail"}, 2},
	{"usage-to-crlf", "", []string{"-mail", "-to", "root@localhost\r\nBcc: victim@example.org"}, 2},
	{"usage-to-bad", "", []string{"-mail", "-to", "not an address"}, 2},
	{"usage-from-lf", "", []string{"-mail", "-to", "root@localhost", "-from", "a@b\nBcc: c@d"}, 2},
	{"usage-to-without-mail", "", []string{"-to", "root@localhost"}, 2},
	{"usage-host-lf", "", []string{"-host", "a\nb"}, 2},
	{"usage-color", "", []string{"-color", "sometimes"}, 2},
	{"usage-tz", "", []string{"-tz", "Mars/Olympus"}, 2},
	{"missing-file", "", []string{"testdata/nosuch.in"}, 1},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var stdin io.Reader
			if tc.in != "" {
				stdin = bytes.NewReader(input(t, tc.in))
			}
			out, stderr, code := run(tc.args, stdin)
			if code != tc.exit {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.exit, stderr)
			}
			gold.Check(t, filepath.Join("testdata", tc.name+".out"), out)
			gold.Check(t, filepath.Join("testdata", tc.name+".err"), []byte(stderr))
		})
	}
}

// input reads testdata/<name>.in; "a+b" is a's records then b's.
func input(t *testing.T, name string) []byte {
	var all []byte
	for _, n := range strings.Split(name, "+") {
		b, err := os.ReadFile(filepath.Join("testdata", n+".in"))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
