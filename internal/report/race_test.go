//go:build race

package report

// raceEnabled: the race detector slows the memory test's million records
// tenfold; it then runs a fifth of them and checks nothing.
const raceEnabled = true
