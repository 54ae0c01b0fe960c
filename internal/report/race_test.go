//go:build race

package report

// raceEnabled: the race detector's shadow memory swamps the heap that
// TestMemory measures; make test runs that test apart, without -race.
const raceEnabled = true
