//go:build !amd64 || purego

package linefind

const haveProbe = false

// probe256 is never called where haveProbe is false.
func probe256(data []byte, t *probeTable) (pos int, found bool, newlines int) { return 0, false, 0 }
