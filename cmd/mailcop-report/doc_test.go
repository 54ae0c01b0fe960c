package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/report"
)

// TestDocExamples runs the "$ mailcop-report ... <<'EOF'" examples of
// doc.go and compares their output with what the documentation shows. An
// example's output is the code block after its EOF line, blank lines
// included, up to the next paragraph of text.
func TestDocExamples(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		text string
		code bool // a code block line (or a blank line, which may be in one)
	}
	var lines []line
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(l, "//\t"):
			lines = append(lines, line{strings.TrimPrefix(l, "//\t"), true})
		case l == "//":
			lines = append(lines, line{"", true})
		default:
			lines = append(lines, line{l, false})
		}
	}
	n := 0
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i].text, "$ mailcop-report ")
		if !ok || !lines[i].code {
			continue
		}
		args, heredoc := strings.CutSuffix(cmd, " <<'EOF'")
		if !heredoc {
			t.Fatalf("doc.go: example %q reads no here-document", cmd)
		}
		var in, want strings.Builder
		for i++; i < len(lines) && lines[i].text != "EOF"; i++ {
			in.WriteString(lines[i].text + "\n")
		}
		for i++; i < len(lines) && lines[i].code; i++ {
			want.WriteString(lines[i].text + "\n")
		}
		n++
		var out, errs bytes.Buffer
		if err := report.Run(context.Background(), strings.Fields(args), strings.NewReader(in.String()), &out, &errs); err != nil {
			t.Errorf("example %d: %v: %s", n, err, errs.String())
		}
		if got, w := out.String(), strings.TrimRight(want.String(), "\n")+"\n"; got != w {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", n, args, got, w)
		}
	}
	if n < 2 {
		t.Errorf("found %d examples in doc.go, want at least 2", n)
	}
}
