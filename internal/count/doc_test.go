package count

import (
	"path/filepath"
	"strings"
	"testing"

	gold "github.com/mailcop/mailcop/internal/golden"
)

// TestDocExamples runs the "$ mailcop-count ..." examples of the command's
// documentation on testdata/attacks.in (which the docs call
// attacks.ndjson) and compares what they print, so the docs cannot drift
// from the program.
func TestDocExamples(t *testing.T) {
	examples, err := gold.DocExamples(filepath.Join("..", "..", "cmd", "mailcop-count", "doc.go"), "mailcop-count")
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatal("no examples found in doc.go")
	}
	for _, ex := range examples {
		for i, a := range ex.Args {
			if a == "attacks.ndjson" {
				ex.Args[i] = filepath.Join("testdata", "attacks.in")
			}
		}
		got, stderr, code := run(ex.Args, nil)
		if code != 0 || string(got) != ex.Want {
			t.Errorf("mailcop-count %s: exit %d, stderr %q, output:\n%s\ndoc.go says:\n%s",
				strings.Join(ex.Args, " "), code, stderr, got, ex.Want)
		}
	}
}
