// Package golden compares a stage's output with the files under testdata
// that hold what it should be, for the stages' golden-file tests.
package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update is go test -update, in every package whose tests use this one.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Updating tells whether the golden files are being rewritten.
func Updating() bool { return *update }

// Input returns testdata/NAME.in, a case's standard input; no name, none.
func Input(t testing.TB, name string) []byte {
	t.Helper()
	if name == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join("testdata", name+".in"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Check compares got with the file at path, or rewrites the file under
// go test -update. An absent file stands for empty output.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if len(got) == 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, Diff(want, got))
	}
}

// Diff shows the first lines that differ, enough to read a failure
// without a dependency.
func Diff(want, got []byte) string {
	w := strings.SplitAfter(string(want), "\n")
	g := strings.SplitAfter(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n-%q\n+%q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}
