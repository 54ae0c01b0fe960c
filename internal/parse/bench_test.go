package parse

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/loggen"
)

// benchLog is a generated mail log of a few MiB, made once per test
// binary: the benchmarks below measure on the traffic mailcop meets, not
// on a handful of chosen lines.
var benchLog = sync.OnceValue(func() []byte {
	var log bytes.Buffer
	if _, err := loggen.Generate(&log, loggen.Config{Size: 16 << 20, Seed: 1}); err != nil {
		panic(err)
	}
	return log.Bytes()
})

// BenchmarkWorker is the parallel part alone: finding and parsing the
// candidate lines of whole blocks, and encoding their records, on one
// goroutine.
func BenchmarkWorker(b *testing.B) {
	data := benchLog()
	var blocks [][]byte
	for len(data) > 0 {
		end := len(data)
		if end > blockSize {
			end = lastByte(data[:blockSize], '\n') + 1
		}
		blocks = append(blocks, data[:end])
		data = data[end:]
	}
	w := newWorker(testConfig())
	w.encode = true // as mailcop-parse's workers do
	j := &job{ref: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	b.SetBytes(int64(len(benchLog())))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range blocks {
			j.data = d
			j.items, j.enc = j.items[:0], j.enc[:0]
			w.block(j, "bench.log", "bench.log", nil)
		}
	}
}

// BenchmarkRead is the whole of mailcop-parse but the output's write:
// reading, the workers, the counting rule and the JSON encoding, as
// mailcop-parse runs it (NewJSONParser).
func BenchmarkRead(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		p := NewJSONParser(testConfig(), func(obj []byte) error {
			out = append(out[:0], obj...)
			return nil
		}, func(err error) { b.Fatal(err) })
		if err := p.Read(bytes.NewReader(data), "bench.log", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), nil); err != nil {
			b.Fatal(err)
		}
	}
}
