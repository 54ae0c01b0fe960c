package main

import (
	"bytes"
	"go/format"
	"os"
	"testing"
)

// The table in internal/geo is what the generator makes of the x/text in
// go.mod: after an upgrade of x/text, run go generate ./internal/geo.
func TestGeneratedIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := generate(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := format.Source(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../names_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	// The first line names the x/text version, which a test binary may
	// not know; the table is what matters.
	_, got, _ = bytes.Cut(got, []byte("\n"))
	_, want, _ = bytes.Cut(want, []byte("\n"))
	if !bytes.Equal(got, want) {
		t.Error("internal/geo/names_gen.go is stale: run go generate ./internal/geo")
	}
}
