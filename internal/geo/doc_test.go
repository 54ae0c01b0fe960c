package geo

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestDocExamples runs the "$ mailcop-geo ... <<'EOF'" examples of
// cmd/mailcop-geo/doc.go and compares their output with what the
// documentation shows.
func TestDocExamples(t *testing.T) {
	src, err := os.ReadFile("../../cmd/mailcop-geo/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		s, _ := strings.CutPrefix(l, "//\t")
		lines = append(lines, s)
	}
	n := 0
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ mailcop-geo ")
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
		for i++; i < len(lines) && strings.HasPrefix(lines[i], "{"); i++ {
			want.WriteString(lines[i] + "\n")
		}
		n++
		var out, errs bytes.Buffer
		err := run(context.Background(), strings.Fields(args), strings.NewReader(in.String()), &out, &errs, testEnv(nil, nil), noHUP)
		if err != nil {
			t.Errorf("example %d: %v: %s", n, err, errs.String())
		}
		if out.String() != want.String() {
			t.Errorf("example %d (%s):\n got:\n%s\nwant:\n%s", n, args, out.String(), want.String())
		}
	}
	if n < 2 {
		t.Errorf("found %d examples in doc.go, want at least 2", n)
	}
}
