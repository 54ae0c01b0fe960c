//go:build !amd64 || purego

package linefind

const (
	haveProbe     = false
	haveWideProbe = false
)

// probe256 and probe512 are never called where haveProbe is false.
func probe256(data []byte, t *probeTable) (pos int, found bool, newlines int) { return 0, false, 0 }
func probe512(data []byte, t *probeTable) (pos int, found bool, newlines int) { return 0, false, 0 }
