package count

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// genRecords returns n records as mailcop-geo writes them: an attack
// mix over nIPs addresses (a few loud, most quiet) and nUsers accounts,
// with successes and unmatched lines among the failures.
func genRecords(n, nIPs, nUsers int, seed uint64) []record.Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	countries := []struct{ code, name, org string }{
		{"CN", "China", "Chinanet"}, {"RU", "Russia", "Selectel"}, {"US", "United States", "DigitalOcean, LLC"},
		{"DE", "Germany", "Hetzner Online GmbH"}, {"NL", "Netherlands", "Serverion BV"}, {"BR", "Brazil", "Claro NXT"},
		{"IN", "India", "Bharti Airtel"}, {"VN", "Vietnam", "VNPT Corp"}, {"FR", "France", "OVH SAS"},
	}
	ips := make([]string, nIPs)
	for i := range ips {
		if i%10 == 9 {
			ips[i] = fmt.Sprintf("2001:db8:%x:%x::%x", i>>16, i&0xffff, rng.IntN(1<<16))
		} else {
			ips[i] = fmt.Sprintf("%d.%d.%d.%d", 1+i%223, i>>8&0xff, i&0xff, 1+rng.IntN(254))
		}
	}
	users := make([]string, nUsers)
	for i := range users {
		users[i] = fmt.Sprintf("user%d@example.com", i)
	}
	services := []string{"imap", "imap", "pop3", "submission", "smtp", "managesieve"}
	reasons := []string{"password_mismatch", "unknown_user", "unknown_user", "auth_failed"}
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(nIPs-1))
	t := time.Date(2026, 11, 25, 0, 0, 0, 0, time.FixedZone("", 3600))
	recs := make([]record.Record, n)
	for i := range recs {
		t = t.Add(time.Duration(rng.IntN(900)) * time.Millisecond)
		ipi := int(zipf.Uint64())
		c := countries[ipi%len(countries)]
		r := record.Record{
			Time: t.Format(time.RFC3339), Host: "mx1", Daemon: "dovecot", Service: services[rng.IntN(len(services))],
			Event: "auth", Outcome: "failure", Reason: reasons[rng.IntN(len(reasons))],
			User: users[rng.IntN(nUsers)], IP: ips[ipi], Method: "PLAIN",
			Country: c.code, CountryName: c.name, ASN: 1000 + ipi%len(countries), ASOrg: c.org,
		}
		switch k := rng.IntN(100); {
		case k < 8:
			r = record.Record{Time: r.Time, Host: "mx1", Daemon: "postfix", Event: "unmatched", Line: "warning: hostname does not resolve"}
		case k < 12:
			r.Outcome, r.Reason = "success", ""
		case k < 30:
			r.Attempts = 1 + rng.IntN(5)
		}
		recs[i] = r
	}
	return recs
}

func ndjson(recs []record.Record) []byte {
	var b []byte
	for i := range recs {
		b = append(recs[i].AppendJSON(b), '\n')
	}
	return b
}

var benchInput = sync1(func() []byte { return ndjson(genRecords(100_000, 5_000, 2_000, 1)) })

func sync1[T any](f func() T) func() T {
	var v T
	done := false
	return func() T {
		if !done {
			v, done = f(), true
		}
		return v
	}
}

// BenchmarkCount runs the whole stage over 100,000 records. The decode
// case is the record reader alone: what counting adds is the difference.
func BenchmarkCount(b *testing.B) {
	in := benchInput()
	const n = 100_000
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			rd := record.NewReader(bytes.NewReader(in), "bench")
			for rd.Scan() {
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	for _, args := range [][]string{
		{"-by", "ip"}, {"-by", "user"}, {"-by", "country"}, {"-by", "net"}, {"-by", "hour", "-tz", "Europe/Paris"},
		{"-by", "ip,user"}, {"-by", "ip", "-format", "table"},
	} {
		b.Run(strings.Join(args, " "), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if err := Run(context.Background(), args, bytes.NewReader(in), io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// TestMemory measures the live heap of a count of 1,000,000 records from
// 50,000 addresses against 10,000 accounts, nearly every record a new
// (address, account) pair: the spec's bound is 128 MiB for the whole
// process. It reports rather than times; the bound is checked loosely.
func TestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a million records")
	}
	recs := genMemRecords(1_000_000, 50_000, 10_000)
	for _, by := range []string{"ip", "user", "net", "ip,user"} {
		fields, err := parseBy(by)
		if err != nil {
			t.Fatal(err)
		}
		before := liveHeap()
		c := newCounter(config{by: fields, outcome: "failure", mask4: 24, mask6: 64})
		for i := range recs {
			c.add(&recs[i])
		}
		after := liveHeap()
		t.Logf("-by %-8s %7d groups %8d pairs: heap %6.1f MiB", by, c.ngroups, c.pairs.len(), float64(after-before)/(1<<20))
		if by != "ip,user" && after-before > 128<<20 {
			t.Errorf("-by %s: heap %d MiB, over the 128 MiB budget", by, (after-before)>>20)
		}
		runtime.KeepAlive(c)
	}
}

// genMemRecords spreads n failures uniformly: the most distinct pairs n
// records can make, the worst case for the distinct sets.
func genMemRecords(n, nIPs, nUsers int) []record.Record {
	rng := rand.New(rand.NewPCG(2, 2))
	ips := make([]string, nIPs)
	for i := range ips {
		ips[i] = fmt.Sprintf("%d.%d.%d.%d", 1+i%223, i>>8&0xff, i&0xff, 1+i%254)
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
		recs[i] = record.Record{
			Time:  t.Add(time.Duration(i) * 80 * time.Millisecond).Format(time.RFC3339),
			Event: "auth", Outcome: "failure", Reason: "unknown_user",
			User: users[rng.IntN(nUsers)], IP: ips[ipi], Country: countries[ipi%len(countries)],
			CountryName: "Somewhere", ASN: 64496 + ipi%100, ASOrg: "Example Networks",
		}
	}
	return recs
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
