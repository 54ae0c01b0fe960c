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
// and the warnings. It checks as well that the parser that encodes
// (NewJSONParser, as mailcop-parse runs) writes these records, byte for
// byte: its workers encode most records ahead of the counting.
func parseAll(t testing.TB, cfg Config, lines ...string) ([]record.Record, []string) {
	t.Helper()
	var recs []record.Record
	var warns []string
	var want, got []byte
	p := NewParser(cfg, func(r *record.Record) error {
		c := *r
		c.Extra = append([]record.Field(nil), r.Extra...)
		recs = append(recs, c)
		want = append(r.AppendJSON(want), '\n')
		return nil
	}, func(err error) { warns = append(warns, err.Error()) })
	in := strings.Join(lines, "\n") + "\n"
	if err := p.Read(bytes.NewReader([]byte(in)), "test.log", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	read := len(recs) // Finish's coverage records are compared, not returned
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	recs = recs[:read]
	enc := NewJSONParser(cfg, func(obj []byte) error {
		got = append(append(got, obj...), '\n')
		return nil
	}, func(error) {})
	if err := enc.Read(bytes.NewReader([]byte(in)), "test.log", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := enc.Finish(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoded by the workers, the records differ:\n%s", firstDiff(string(got), string(want)))
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
