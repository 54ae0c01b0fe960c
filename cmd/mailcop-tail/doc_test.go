package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/golden"
	"github.com/mailcop/mailcop/internal/tailer"
)

// TestDocExamples runs the "$ mailcop-tail ... <<'EOF'" examples of doc.go
// and compares their output with what the documentation shows.
func TestDocExamples(t *testing.T) {
	examples, err := golden.DocExamples("doc.go", "mailcop-tail")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, ex := range examples {
		if ex.Stdin == "" {
			continue // an example on a real system's logs, not runnable here
		}
		n++
		var out, errs bytes.Buffer
		if err := tailer.Run(context.Background(), ex.Args, strings.NewReader(ex.Stdin), &out, &errs); err != nil {
			t.Errorf("example %d: %v: %s", i+1, err, errs.String())
		}
		if out.String() != ex.Want {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", i+1, strings.Join(ex.Args, " "), out.String(), ex.Want)
		}
	}
	if n == 0 {
		t.Error("no runnable example in doc.go")
	}
}
