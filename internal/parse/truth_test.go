package parse

import (
	"bytes"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/loggen"
	"github.com/mailcop/mailcop/internal/record"
)

// mailcop-parse recovers, address by address, the true number of failed
// attempts and of logins in generated logs that mix every shape of
// attack with ordinary traffic, in both syslog formats.
func TestGeneratedTruth(t *testing.T) {
	size := int64(4 << 20)
	if testing.Short() {
		size = 512 << 10
	}
	for _, format := range []loggen.Format{loggen.Syslog, loggen.RFC3339} {
		for seed := uint64(1); seed <= 2; seed++ {
			var log bytes.Buffer
			truth, err := loggen.Generate(&log, loggen.Config{Size: size, Seed: seed, Format: format})
			if err != nil {
				t.Fatal(err)
			}
			if truth.Failures < 100 || truth.Successes < 100 {
				t.Fatalf("generated log too tame: %d failures, %d logins", truth.Failures, truth.Successes)
			}
			fails := map[string]int64{}
			logins := map[string]int64{}
			p := NewParser(Config{Year: 2026, Location: time.UTC}, func(r *record.Record) error {
				switch r.Outcome {
				case "failure":
					fails[r.IP] += int64(r.Attempts)
				case "success":
					logins[r.IP]++
				}
				return nil
			}, func(err error) { t.Error(err) })
			if err := p.Read(&log, "gen.log", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), nil); err != nil {
				t.Fatal(err)
			}
			compare := func(what string, got, want map[string]int64) {
				t.Helper()
				for ip, n := range want {
					if got[ip] != n {
						t.Errorf("format %v seed %d: %s of %s: got %d, want %d", format, seed, what, ip, got[ip], n)
					}
				}
				for ip, n := range got {
					if _, ok := want[ip]; !ok {
						t.Errorf("format %v seed %d: %s of %s: got %d, want none", format, seed, what, ip, n)
					}
				}
			}
			compare("failed attempts", fails, truth.FailuresByIP)
			compare("logins", logins, truth.SuccessesByIP)
			if s := p.Stats(); int64(s.Failures) != truth.Failures || int64(s.Lines) != truth.Lines || s.Unmatched != 0 {
				t.Errorf("format %v seed %d: stats %+v, truth %d failures in %d lines", format, seed, s, truth.Failures, truth.Lines)
			}
		}
	}
}
