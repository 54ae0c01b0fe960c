//go:build race

package sim

// raceEnabled: the measurement is one goroutine, which the race detector
// only slows tenfold; make test runs it apart, without -race.
const raceEnabled = true
