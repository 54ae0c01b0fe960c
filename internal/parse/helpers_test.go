package parse

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// testConfig pins the year and zone: the tests must not depend on the
// machine's clock or TZ.
func testConfig() Config {
	return Config{
		Year:     2026,
		Location: time.UTC,
		Now:      func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) },
	}
}

// parseAll runs lines through one parser and returns the records (copies)
// and the warnings.
func parseAll(t testing.TB, cfg Config, lines ...string) ([]record.Record, []string) {
	t.Helper()
	var recs []record.Record
	var warns []string
	p := NewParser(cfg, func(r *record.Record) error {
		c := *r
		c.Extra = append([]record.Field(nil), r.Extra...)
		recs = append(recs, c)
		return nil
	}, func(err error) { warns = append(warns, err.Error()) })
	in := strings.Join(lines, "\n") + "\n"
	if err := p.Read(bytes.NewReader([]byte(in)), "test.log", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	return recs, warns
}

// sumAttempts adds up the failed attempts of recs.
func sumAttempts(recs []record.Record) int {
	n := 0
	for _, r := range recs {
		if r.Outcome == "failure" {
			n += r.Attempts
		}
	}
	return n
}
