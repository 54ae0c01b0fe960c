package geo

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mailcop/mailcop/internal/cli"
	gold "github.com/mailcop/mailcop/internal/golden"
)

// dbDir holds the test databases (testdb_test.go), built once per run.
var (
	dbDir     string
	dbDirOnce sync.Once
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "mailcop-geo-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dbDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testDBs returns the directory of the test databases.
func testDBs(t testing.TB) string {
	t.Helper()
	dbDirOnce.Do(func() { writeTestDBs(t, dbDir) })
	if _, err := os.Stat(filepath.Join(dbDir, "GeoIP")); err != nil {
		t.Fatalf("the test databases were not built: %v", err)
	}
	return dbDir
}

// A golden case runs the stage with args on testdata/<in>.in and compares
// stdout and stderr (as the user sees it, with the test databases'
// directory shown as $DB) with testdata/<name>.out and .err, a missing
// file meaning empty. $DB in args and env stands for that directory. The
// environment holds only env, and only dirs are searched: the machine's
// own databases never answer.
var goldenCases = []struct {
	name string
	in   string
	args []string
	env  []string // KEY=value
	dirs []string
	exit int
}{
	// Each schema.
	{"city", "records", []string{"-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 0},
	{"city-fr", "records", []string{"-lang", "fr", "-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 0},
	{"city-v", "records", []string{"-v", "-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 0},
	{"city-no-asn", "records", []string{"-v", "-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "none"}, nil, nil, 0},
	{"country-v4", "records", []string{"-v", "-db", "$DB/GeoLite2-Country-v4.mmdb", "-asn-db", "none"}, nil, nil, 0},
	{"country-code", "records", []string{"-v", "-db", "$DB/country_code.mmdb", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 0},
	{"country-code-split", "records", []string{"-v", "-db", "$DB/country_code-ipv6.mmdb,$DB/country_code-ipv4.mmdb", "-asn-db", "none"}, nil, nil, 0},
	{"ip-location-city", "records", []string{"-v", "-db", "$DB/ip-location-city.mmdb", "-asn-db", "none"}, nil, nil, 0},
	{"dbip", "records", []string{"-v", "-lang", "fr", "-db", "$DB/dbip-country-lite.mmdb", "-asn-db", "none"}, nil, nil, 0},
	{"embedded", "rir", []string{"-v", "-db", "none", "-asn-db", "none"}, nil, nil, 0},
	{"embedded-fr", "rir", []string{"-lang", "fr", "-db", "none", "-asn-db", "none"}, nil, nil, 0},
	{"embedded-asn", "records", []string{"-v", "-db", "none", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 0},

	// Where the databases come from: flags, environment, directories.
	{"env", "records", []string{"-v"}, []string{"MAILCOP_GEOIP_DB=$DB/GeoLite2-City.mmdb", "MAILCOP_ASN_DB=$DB/GeoLite2-ASN.mmdb"}, nil, 0},
	{"flag-over-env", "records", []string{"-v", "-db", "$DB/GeoLite2-City.mmdb"}, []string{"MAILCOP_GEOIP_DB=$DB/garbage.mmdb", "MAILCOP_ASN_DB=none"}, nil, 0},
	{"search", "records", []string{"-v"}, nil, []string{"$DB/no-such-dir", "$DB/GeoIP", "$DB"}, 0},
	{"search-none", "rir", []string{"-v"}, nil, []string{"$DB/no-such-dir", "$DB/GeoIP/no"}, 0},
	{"dir-flag", "records", []string{"-v", "-db", "$DB/GeoIP", "-asn-db", "$DB"}, nil, nil, 0},
	{"dir-empty", "records", []string{"-db", "$DB/GeoIP", "-asn-db", "$DB/empty-dir"}, nil, nil, 1},

	// Databases that do not open: what is wrong, and what to do.
	{"db-missing", "records", []string{"-db", "$DB/no-such.mmdb"}, nil, nil, 1},
	{"db-empty", "records", []string{"-db", "$DB/empty.mmdb"}, nil, nil, 1},
	{"db-garbage", "records", []string{"-db", "$DB/garbage.mmdb"}, nil, nil, 1},
	{"db-truncated", "records", []string{"-db", "$DB/truncated.mmdb"}, nil, nil, 1},
	{"db-is-asn", "records", []string{"-db", "$DB/GeoLite2-ASN.mmdb"}, nil, nil, 1},
	{"asn-db-is-city", "records", []string{"-db", "none", "-asn-db", "$DB/GeoLite2-City.mmdb"}, nil, nil, 1},
	{"asn-db-missing", "records", []string{"-db", "none", "-asn-db", "$DB/no-such.mmdb"}, nil, nil, 1},
	{"db-list-missing", "records", []string{"-db", "$DB/country_code-ipv4.mmdb,$DB/country_code-ipv6"}, nil, nil, 1},
	{"env-missing", "records", nil, []string{"MAILCOP_GEOIP_DB=$DB/no-such.mmdb"}, nil, 1},

	// Bad input: reported with its position, passed on, exit 1.
	{"bad", "bad", []string{"-v", "-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "none"}, nil, nil, 1},
	{"missing-file", "", []string{"-db", "none", "testdata/no-such.in"}, nil, nil, 1},
	{"files", "", []string{"-db", "none", "-asn-db", "$DB/GeoLite2-ASN.mmdb", "testdata/rir.in", "-", "testdata/bad.in"}, nil, nil, 1},

	// Usage.
	{"help", "", []string{"-h"}, nil, nil, 0},
	{"usage-lang", "", []string{"-lang", "de"}, nil, nil, 2},
	{"usage-flag", "", []string{"-country-db", "x"}, nil, nil, 2},
	{"usage-fetch-files", "", []string{"-fetch", "/tmp/x", "a.json"}, nil, nil, 2},
}

func TestGolden(t *testing.T) {
	db := testDBs(t)
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdin := gold.Input(t, tc.in)
			args := expand(tc.args, db)
			e := testEnv(expand(tc.env, db), expand(tc.dirs, db))
			stdout, stderr, code := runStage(args, stdin, e)
			if code != tc.exit {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tc.exit, stderr)
			}
			stderr = bytes.ReplaceAll(stderr, []byte(db), []byte("$DB"))
			gold.Check(t, filepath.Join("testdata", tc.name+".out"), stdout)
			gold.Check(t, filepath.Join("testdata", tc.name+".err"), stderr)
		})
	}
}

func expand(ss []string, db string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, strings.ReplaceAll(s, "$DB", db))
	}
	return out
}

// testEnv is an environment of only kv, searching only dirs, and sending
// no SIGHUP.
func testEnv(kv, dirs []string) env {
	m := map[string]string{}
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		m[k] = v
	}
	return env{getenv: func(k string) string { return m[k] }, dirs: dirs, notifyHUP: noHUP}
}

// noHUP stands for signal.Notify in tests that send no SIGHUP.
func noHUP() (<-chan os.Signal, func()) { return nil, func() {} }

// runStage runs the stage as cli.Main would, returning stdout, stderr as
// the user sees it, and the exit status.
func runStage(args []string, stdin []byte, e env) (stdout, stderr []byte, code int) {
	var out, errb bytes.Buffer
	ew := cli.NewPrefixWriter(&errb, "mailcop-geo: ")
	err := run(context.Background(), args, bytes.NewReader(stdin), &out, ew, e)
	code = cli.Exit(ew, err)
	return out.Bytes(), errb.Bytes(), code
}
