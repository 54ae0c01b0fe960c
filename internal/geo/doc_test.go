package geo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	gold "github.com/mailcop/mailcop/internal/golden"
)

// TestDocExamples runs the "$ mailcop-geo ... <<'EOF'" examples of
// cmd/mailcop-geo/doc.go and compares their output with what the
// documentation shows.
func TestDocExamples(t *testing.T) {
	examples, err := gold.DocExamples("../../cmd/mailcop-geo/doc.go", "mailcop-geo")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, ex := range examples {
		if ex.Stdin == "" {
			continue // an example on a real system's files, not runnable here
		}
		n++
		var out, errs bytes.Buffer
		err := run(context.Background(), ex.Args, strings.NewReader(ex.Stdin), &out, &errs, testEnv(nil, nil))
		if err != nil {
			t.Errorf("example %d: %v: %s", i+1, err, errs.String())
		}
		if out.String() != ex.Want {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", i+1, strings.Join(ex.Args, " "), out.String(), ex.Want)
		}
	}
	if n < 2 {
		t.Errorf("found %d examples in doc.go, want at least 2", n)
	}
}
