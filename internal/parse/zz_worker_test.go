package parse

import (
	"os"
	"testing"
	"time"
)

func BenchmarkWorkerBlocks(b *testing.B) {
	data, err := os.ReadFile("/tmp/mc/64m.log")
	if err != nil {
		b.Skip(err)
	}
	var blocks [][]byte
	for len(data) > blockSize {
		end := lastByte(data[:blockSize], '\n') + 1
		blocks = append(blocks, data[:end])
		data = data[end:]
	}
	cfg := testConfig()
	w := newWorker(cfg)
	b.SetBytes(int64(len(blocks) * blockSize))
	b.ReportAllocs()
	j := &job{ref: time.Now()}
	for b.Loop() {
		for _, d := range blocks {
			j.data = d
			j.items = j.items[:0]
			j.cands = 0
			w.block(j, "x", "")
		}
	}
}
