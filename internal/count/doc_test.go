package count

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocExamples runs the "$ mailcop-count ..." examples of the command's
// documentation on testdata/attacks.in (which the docs call
// attacks.ndjson) and compares what they print, so the docs cannot drift
// from the program.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "cmd", "mailcop-count", "doc.go"))
	if os.IsNotExist(err) {
		t.Skip("no doc.go")
	}
	if err != nil {
		t.Fatal(err)
	}
	type example struct {
		args []string
		want strings.Builder
	}
	var examples []*example
	var cur *example
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//\t")
		switch {
		case ok && strings.HasPrefix(line, "$ mailcop-count "):
			cur = &example{args: strings.Fields(strings.TrimPrefix(line, "$ mailcop-count "))}
			examples = append(examples, cur)
		case ok && cur != nil:
			cur.want.WriteString(line + "\n")
		default:
			cur = nil
		}
	}
	if len(examples) == 0 {
		t.Fatal("no examples found in doc.go")
	}
	for _, ex := range examples {
		for i, a := range ex.args {
			if a == "attacks.ndjson" {
				ex.args[i] = filepath.Join("testdata", "attacks.in")
			}
		}
		got, stderr, code := run(ex.args, nil)
		if code != 0 || string(got) != ex.want.String() {
			t.Errorf("mailcop-count %s: exit %d, stderr %q, output:\n%s\ndoc.go says:\n%s",
				strings.Join(ex.args, " "), code, stderr, got, ex.want.String())
		}
	}
}
