package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/parse"
)

// TestDocExamples runs the "$ mailcop-parse ... <<'EOF'" examples of
// doc.go and compares their output with what the documentation shows.
func TestDocExamples(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if s, ok := strings.CutPrefix(l, "//\t"); ok {
			lines = append(lines, s)
		} else {
			lines = append(lines, "")
		}
	}
	n := 0
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ mailcop-parse ")
		if !ok {
			continue
		}
		args, heredoc := strings.CutSuffix(cmd, " <<'EOF'")
		if !heredoc {
			t.Fatalf("doc.go: example %q reads no here-document", cmd)
		}
		var in, want strings.Builder
		for i++; i < len(lines) && lines[i] != "EOF"; i++ {
			in.WriteString(lines[i] + "\n")
		}
		for i++; i < len(lines) && lines[i] != ""; i++ {
			want.WriteString(lines[i] + "\n")
		}
		n++
		var out, errs bytes.Buffer
		if err := parse.Run(context.Background(), strings.Fields(args), strings.NewReader(in.String()), &out, &errs); err != nil {
			t.Errorf("example %d: %v: %s", n, err, errs.String())
		}
		if out.String() != want.String() {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", n, args, out.String(), want.String())
		}
	}
	if n < 3 {
		t.Errorf("found %d examples in doc.go, want at least 3", n)
	}
}
