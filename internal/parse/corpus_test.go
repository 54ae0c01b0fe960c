package parse

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// corpusDir holds real-world lines labeled by hand, beside the project.
const corpusDir = "../../../shared/corpus/open"

type corpusLine struct {
	Line    string `json:"line"`
	Match   bool   `json:"match"`
	IP      string `json:"ip"`
	User    string `json:"user"`
	Outcome string `json:"outcome"`
	Kind    string `json:"kind"`
	Src     string `json:"src"`
}

var attemptsRE = regexp.MustCompile(`, (\d+) attempts`)

// TestCorpus reads every labeled line of the shared corpus, each through a
// fresh parser: every failure line must give a failure record with its
// exact address and user (and a summary its exact count), and no other
// line may give a failure.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.jsonl"))
	if len(files) == 0 {
		t.Skip("no corpus beside the project")
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() {
			n++
			var c corpusLine
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", name, n, err)
			}
			t.Run(c.Src, func(t *testing.T) {
				recs, _ := parseAll(t, testConfig(), c.Line)
				var fails []string
				total := 0
				for _, r := range recs {
					if r.Outcome == "failure" {
						fails = append(fails, r.IP+" "+r.User)
						total += r.Attempts
					}
				}
				if !c.Match {
					if len(fails) > 0 {
						t.Errorf("%s\n  want no failure, got %v", c.Line, fails)
					}
					return
				}
				if len(recs) != 1 || recs[0].Outcome != "failure" {
					t.Fatalf("%s\n  want one failure record, got %+v", c.Line, recs)
				}
				r := recs[0]
				if r.IP != c.IP || r.User != c.User {
					t.Errorf("%s\n  got ip=%q user=%q, want ip=%q user=%q", c.Line, r.IP, r.User, c.IP, c.User)
				}
				want := 1
				if m := attemptsRE.FindStringSubmatch(c.Line); c.Kind == "summary" && m != nil {
					want, _ = strconv.Atoi(m[1])
				}
				if total != want {
					t.Errorf("%s\n  attempts = %d, want %d", c.Line, total, want)
				}
			})
		}
		f.Close()
	}
}
