//go:build !purego

package record

import "golang.org/x/sys/cpu"

// haveAVX2 picks plainAVX2 over the loop of skipPlain: decoding a typical
// record takes about 15% less time with it (BenchmarkUnmarshal against
// -tags purego), though on whole stages (mailcop-parse reading
// mailcop-tail's records, mailcop-count) the gain is within the noise of
// a few percent. TestSkipPlain holds it to a plain loop.
var haveAVX2 = cpu.X86.HasAVX2

// plainAVX2 returns the index of the first byte of s that is not plain,
// looking 32 bytes a step at whole steps only: len(s) rounded down to a
// multiple of 32 when those hold none. It needs AVX2.
//
//go:noescape
func plainAVX2(s string) int
