package mailcop_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/tools/txtar"
)

// TestREADME reruns the README's console transcripts (```console blocks)
// from the repository root and fails on any difference: every command the
// README shows works as shown.
func TestREADME(t *testing.T) {
	blocks, err := consoleBlocks("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no console transcript")
	}
	var script strings.Builder
	ar := &txtar.Archive{}
	script.WriteString("cd $REPO\n")
	n := 0
	for _, b := range blocks {
		for _, step := range b {
			n++
			name := fmt.Sprintf("want%d", n)
			cond := ""
			if strings.Contains(step.cmd, "jq ") {
				cond = "[exec:jq] "
			}
			// The transcript shows what a terminal shows: stdout and stderr.
			fmt.Fprintf(&script, "%sexec sh -c %s\n%scmp stdout $WORK/%s\n", cond, quote("("+step.cmd+") 2>&1"), cond, name)
			ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(step.out)})
		}
	}
	ar.Comment = []byte(script.String())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup:               setupScript,
	})
}

type step struct{ cmd, out string }

// consoleBlocks reads the ```console blocks of a markdown file: lines
// starting with "$ " are commands, the lines after them their output.
func consoleBlocks(name string) ([][]step, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var blocks [][]step
	var cur []step
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && line == "```console":
			in, cur = true, nil
		case in && line == "```":
			in = false
			blocks = append(blocks, cur)
		case in && strings.HasPrefix(line, "$ "):
			cur = append(cur, step{cmd: line[2:]})
		case in && len(cur) > 0:
			cur[len(cur)-1].out += line + "\n"
		}
	}
	return blocks, sc.Err()
}

// quote makes s one testscript argument.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
