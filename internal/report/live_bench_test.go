package report

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// distinctStream writes n failed attempts, each from an IPv6 address of
// a /64 of its own (the worst case: one host is one /64), as JSON lines; at its
// end it notes the heap the stage reading it holds.
type distinctStream struct {
	n, i int
	buf  []byte
	heap uint64
}

func (s *distinctStream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) && s.i < s.n {
		t := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.i) * 10 * time.Millisecond)
		s.buf = fmt.Appendf(s.buf, `{"time":"%s","event":"auth","outcome":"failure","reason":"unknown_user","user":"u%d","ip":"2001:db8:%x:%x::1","attempts":1,"country":"NL","asn":%d}`+"\n",
			t.Format(time.RFC3339), s.i%50_000, s.i>>16, s.i&0xffff, 64496+s.i%1000)
		s.i++
	}
	if len(s.buf) == 0 {
		if s.heap == 0 {
			s.heap = liveHeap()
		}
		return 0, io.EOF
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// BenchmarkLiveDistinctAddresses: -live over 2 million attempts from
// distinct IPv6 addresses keeps a bounded heap (heap-MiB, measured when
// the input ends, the stage still holding all it keeps); it grew by
// 600 MB per million before -live forgot what no rule uses.
//
//	go test -run '^$' -bench LiveDistinct -benchtime 1x ./internal/report
func BenchmarkLiveDistinctAddresses(b *testing.B) {
	for range b.N {
		s := &distinctStream{n: 2_000_000}
		if err := Run(context.Background(), []string{"-live", "-color", "never"}, s, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.heap)/(1<<20), "heap-MiB")
		runtime.KeepAlive(s)
	}
}
