package record

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	parenthesised = regexp.MustCompile(`\([^()]*\)`)
	backquoted    = regexp.MustCompile("`([^`]+)`")
)

// wordsIn returns the words a README passage lists in backquotes, leaving
// out those in parentheses (asides such as "(fail2ban, with its `jail`)").
func wordsIn(passage string) []string {
	var words []string
	for _, m := range backquoted.FindAllStringSubmatch(parenthesised.ReplaceAllString(passage, ""), -1) {
		words = append(words, m[1])
	}
	return words
}

// The README lists each vocabulary: in its record table (event, outcome,
// scope) and, for the reasons, in the paragraph of mailcop-parse that
// starts "The records name `reason`:".
func TestVocabularyInREADME(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	_, table, ok := strings.Cut(readme, "\n## The record\n")
	if !ok {
		t.Fatal(`README has no "## The record" section`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	row := func(key string) string {
		for line := range strings.SplitSeq(table, "\n") {
			cells := strings.Split(line, "|")
			if len(cells) == 4 && strings.TrimSpace(cells[1]) == "`"+key+"`" {
				return cells[2]
			}
		}
		t.Errorf("README's record table has no row for %s alone", key)
		return ""
	}
	_, reasons, ok := strings.Cut(readme, "The records name `reason`:")
	if !ok {
		t.Fatal("README has no paragraph naming the reasons")
	}
	reasons, _, _ = strings.Cut(reasons, "\n\n")

	for _, v := range []struct {
		name   string
		readme []string
		code   []string
	}{
		{"event", wordsIn(row("event")), Events},
		{"outcome", wordsIn(row("outcome")), Outcomes},
		{"scope", wordsIn(row("scope")), Scopes},
		{"reason", wordsIn(reasons), Reasons},
	} {
		if !slices.Equal(v.readme, v.code) {
			t.Errorf("the README lists the %ss\n\t%q\nrecord's vocabulary has\n\t%q\n(a new value needs its constant and its list entry in vocab.go)",
				v.name, v.readme, v.code)
		}
	}
}
