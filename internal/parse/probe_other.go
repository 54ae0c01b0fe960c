//go:build !amd64 || purego

package parse

const haveProbe = false

// probe is never called where haveProbe is false.
func probe(data []byte, t *probeTable) (pos int, found bool, newlines int) { return 0, false, 0 }
