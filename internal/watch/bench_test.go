package watch

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// BenchmarkWeek feeds the engine a week of a busy server under attack:
// 10M records, among them a million distinct IPv4 attackers, an IPv6
// attacker taking a new address of its /64 for every attempt, and 5,000
// accounts logging in all day. It reports the heap left once the week is
// in (heap-MiB): the budget is 128 MiB.
//
//	go test -run '^$' -bench Week -benchtime 1x ./internal/watch
func BenchmarkWeek(b *testing.B) {
	const (
		records  = 10_000_000
		attackV4 = 1_000_000
		accounts = 5_000
	)
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	step := 7 * 24 * time.Hour / records
	for range b.N {
		e := New(Defaults())
		ev := &Event{}
		users := make([]string, accounts)
		for i := range users {
			users[i] = fmt.Sprintf("user%04d@example.com", i)
		}
		v6 := netip.MustParseAddr("2001:db8:dead:beef::").As16()
		for i := range records {
			*ev = Event{Time: start.Add(time.Duration(i) * step), User: users[i%accounts], Service: "imap"}
			switch {
			case i%10 == 0: // a login
				ev.Success = true
				ev.IP = fmt.Sprintf("192.0.%d.%d", i/accounts%4, i%accounts%250)
				ev.Country, ev.ASN = "FR", 3215
			case i%10 == 1: // the IPv6 rotator
				v6[12], v6[13], v6[14], v6[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
				ev.IP = netip.AddrFrom16(v6).String()
				ev.Country, ev.ASN = "NL", 14061
			default: // a million others, each a few times
				n := (i * 7919) % attackV4
				ev.IP = fmt.Sprintf("%d.%d.%d.%d", 11+n>>16%200, n>>8&255, n&255, 1+i%3)
				ev.User = fmt.Sprintf("guess%d", i%100_000)
				ev.Country, ev.ASN, ev.PwHash = "CN", 4134+n%500, fmt.Sprintf("%06x", i%4096)
			}
			e.Add(ev)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(len(e.addrs.m)), "addresses")
		runtime.KeepAlive(e)
	}
}
