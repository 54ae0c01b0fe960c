//go:build !amd64 || purego

package record

const haveAVX2 = false

// plainAVX2 is never called where haveAVX2 is false.
func plainAVX2(s string) int { return 0 }
