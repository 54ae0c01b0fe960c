package golden

import (
	"os"
	"strings"
)

// Example is one "$ name args" example of a command's doc.go: the
// arguments, the here-document it reads (if any), and what it prints.
type Example struct {
	Args  []string
	Stdin string
	Want  string
}

// DocExamples reads the examples of the command name from a doc.go: a
// code line "$ name args", optionally ending in "<<'EOF'" and followed by
// the input up to "EOF", then the output: the code lines after it, up to
// the next paragraph of text, trailing blank lines dropped.
func DocExamples(path, name string) ([]Example, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type line struct {
		text string
		code bool // a code line, or a blank comment line, which may be in one
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
	var examples []Example
	prefix := "$ " + name + " "
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i].text, prefix)
		if !ok || !lines[i].code {
			continue
		}
		var ex Example
		args, heredoc := strings.CutSuffix(cmd, " <<'EOF'")
		ex.Args = strings.Fields(args)
		i++
		if heredoc {
			var in strings.Builder
			for ; i < len(lines) && lines[i].text != "EOF"; i++ {
				in.WriteString(lines[i].text + "\n")
			}
			ex.Stdin = in.String()
			i++
		}
		var want strings.Builder
		for ; i < len(lines) && lines[i].code && !strings.HasPrefix(lines[i].text, "$ "); i++ {
			want.WriteString(lines[i].text + "\n")
		}
		i--
		if w := strings.TrimRight(want.String(), "\n"); w != "" {
			ex.Want = w + "\n"
		}
		examples = append(examples, ex)
	}
	return examples, nil
}
