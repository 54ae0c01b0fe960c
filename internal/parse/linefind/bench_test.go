package linefind

import (
	"bytes"
	"testing"

	"github.com/mailcop/mailcop/internal/loggen"
)

// BenchmarkFinder goes through a generated mail log as mailcop-parse's
// workers do (1 MiB blocks, each hit's line skipped), in each way of
// finding this CPU has: probe256 against the pivot groups is what the
// assembly buys.
func BenchmarkFinder(b *testing.B) {
	var log bytes.Buffer
	if _, err := loggen.Generate(&log, loggen.Config{Size: 16 << 20, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := log.Bytes()
	const blockSize = 1 << 20
	for _, mode := range finderModes() {
		b.Run(mode.name, func(b *testing.B) {
			f := New(words...)
			f.tune(data[:min(len(data), blockSize)])
			f.probing = mode.probing
			b.SetBytes(int64(len(data)))
			hits := 0
			for b.Loop() {
				hits = 0
				for block := data; len(block) > 0; {
					n := min(len(block), blockSize)
					eachHit(f, block[:n], func(int) { hits++ })
					block = block[n:]
				}
			}
			b.ReportMetric(float64(hits), "hits/op")
		})
	}
}
