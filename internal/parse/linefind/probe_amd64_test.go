//go:build !purego

package linefind

import (
	"testing"
	"unsafe"
)

// probe_amd64.s reads probeTable at these offsets.
func TestProbeTableLayout(t *testing.T) {
	var pt probeTable
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"first", unsafe.Offsetof(pt.first), 0},
		{"second", unsafe.Offsetof(pt.second), 192},
		{"dist", unsafe.Offsetof(pt.dist), 384},
		{"maxDist", unsafe.Offsetof(pt.maxDist), 432},
		{"newline", unsafe.Offsetof(pt.newline), 440},
	} {
		if f.got != f.want {
			t.Errorf("probeTable.%s at offset %d, the assembly reads it at %d", f.name, f.got, f.want)
		}
	}
}
