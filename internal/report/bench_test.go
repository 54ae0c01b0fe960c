package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// genRecords spreads n records over nIPs addresses and nUsers accounts,
// nearly every one a new (address, account) pair: the worst case for the
// pair set. One in twenty is a login, one in ten carries a password hash.
func genRecords(n, nIPs, nUsers int) []record.Record {
	rng := rand.New(rand.NewPCG(3, 3))
	ips := make([]string, nIPs)
	for i := range ips {
		if i%10 == 9 {
			ips[i] = fmt.Sprintf("2001:db8:%x:%x::%x", i>>16, i&0xffff, 1+i%250)
		} else {
			ips[i] = fmt.Sprintf("%d.%d.%d.%d", 1+i%223, i>>8&0xff, i&0xff, 1+i%254)
		}
	}
	users := make([]string, nUsers)
	for i := range users {
		users[i] = fmt.Sprintf("user%d@example.com", i)
	}
	countries := []string{"CN", "RU", "US", "DE", "NL", "BR", "IN", "VN"}
	t := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	recs := make([]record.Record, n)
	for i := range recs {
		ipi := rng.IntN(nIPs)
		r := record.Record{
			Time: t.Add(time.Duration(i) * 80 * time.Millisecond).Format(time.RFC3339), Host: "mx1",
			Event: "auth", Outcome: "failure", Reason: "unknown_user", Service: "imap",
			User: users[rng.IntN(nUsers)], IP: ips[ipi], Country: countries[ipi%len(countries)],
			CountryName: "Somewhere", ASN: 64496 + ipi%100, ASOrg: "Example Networks",
		}
		switch k := rng.IntN(20); {
		case k == 0:
			r.Outcome, r.Reason = "success", ""
		case k < 3:
			r.PwHash = fmt.Sprintf("%06x", rng.IntN(1<<24))
		}
		recs[i] = r
	}
	return recs
}

// TestMemory: a summary of 1,000,000 records from 50,000 addresses
// against 10,000 accounts stays within the spec's 128 MiB. The race
// detector's shadow memory would swamp what it measures, so `make test`
// runs it apart, without -race.
func TestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a million records")
	}
	if raceEnabled {
		t.Skip("measures the heap: make test runs it without -race")
	}
	const n = 1_000_000
	recs := genRecords(n, 50_000, 10_000)
	before := liveHeap()
	s := newStats(time.UTC, 10)
	for i := range recs {
		s.add(&recs[i])
	}
	after := liveHeap()
	t.Logf("%d records, %d addresses, %d accounts, %d pairs: heap %.1f MiB",
		n, len(s.ips), len(s.users), len(s.pairs), float64(after-before)/(1<<20))
	if after-before > 128<<20 {
		t.Errorf("heap %d MiB, over the 128 MiB budget", (after-before)>>20)
	}
	runtime.KeepAlive(s)
	runtime.KeepAlive(recs)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkReport runs the whole stage over 100,000 records.
func BenchmarkReport(b *testing.B) {
	var in []byte
	for _, r := range genRecords(100_000, 5_000, 2_000) {
		in = append(r.AppendJSON(in), '\n')
	}
	for _, args := range [][]string{nil, {"-html"}, {"-live", "-color", "never"}} {
		b.Run(fmt.Sprint(args), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if err := Run(context.Background(), args, bytes.NewReader(in), io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(100_000*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
