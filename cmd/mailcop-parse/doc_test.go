package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/golden"
	"github.com/mailcop/mailcop/internal/parse"
)

// TestDocExamples runs the "$ mailcop-parse ... <<'EOF'" examples of
// doc.go and compares their output with what the documentation shows.
func TestDocExamples(t *testing.T) {
	examples, err := golden.DocExamples("doc.go", "mailcop-parse")
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 3 {
		t.Fatalf("found %d examples in doc.go, want at least 3", len(examples))
	}
	for i, ex := range examples {
		var out, errs bytes.Buffer
		if err := parse.Run(context.Background(), ex.Args, strings.NewReader(ex.Stdin), &out, &errs); err != nil {
			t.Errorf("example %d: %v: %s", i+1, err, errs.String())
		}
		if out.String() != ex.Want {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", i+1, strings.Join(ex.Args, " "), out.String(), ex.Want)
		}
	}
}
