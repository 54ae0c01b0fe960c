//go:build !purego

package linefind

import "golang.org/x/sys/cpu"

// haveProbe tells whether probe256 runs here: it needs AVX2.
var haveProbe = cpu.X86.HasAVX2

// probe256 looks, 32 positions at a time, for a position x of data where
// some pair k holds: data[x] == t.first[k][0] and data[x+t.dist[k]] ==
// t.second[k][0]. It returns the first such x and true, or, when none is
// found, the first position it did not look at (it stops where a load
// would run past the end) and false. Positions at or after that one are
// the caller's. newlines counts the '\n' in data[:pos].
//
//go:noescape
func probe256(data []byte, t *probeTable) (pos int, found bool, newlines int)
