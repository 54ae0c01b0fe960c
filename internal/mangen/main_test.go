package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Every command has a page with a name line and a synopsis, and the text
// is literal roff: no line of it can be taken for a request.
func TestPages(t *testing.T) {
	pages, err := Pages("../..")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pages {
		names = append(names, p.Name)
	}
	want := "mailcop mailcop-count mailcop-geo mailcop-parse mailcop-report mailcop-tail mailcop-watch"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("pages %s, want %s", got, want)
	}
	macros := regexp.MustCompile(`^\.(TH|SH|PP|RS|RE|nf|fi|IP)( |$)`)
	for _, p := range pages {
		roff := p.Roff()
		if s := p.Summary(); s == "" || len(s) > 80 || strings.HasPrefix(strings.ToLower(s), p.Name) {
			t.Errorf("%s: NAME line %q", p.Name, s)
		}
		for _, sec := range []string{".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n"} {
			if !strings.Contains(roff, sec) {
				t.Errorf("%s: no %s", p.Name, strings.TrimSpace(sec))
			}
		}
		for i, l := range strings.Split(roff, "\n") {
			if (strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'")) && !macros.MatchString(l) {
				t.Errorf("%s:%d: a text line read as a request: %q", p.Name, i+1, l)
			}
			for _, r := range l {
				if r > 0x7f {
					t.Errorf("%s:%d: unescaped %q", p.Name, i+1, r)
					break
				}
			}
		}
	}
}

// groff, when installed, reads the pages without a warning.
func TestGroff(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("no groff")
	}
	pages, err := Pages("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		cmd := exec.Command("groff", "-man", "-ww", "-z", "-Tutf8")
		cmd.Stdin = strings.NewReader(p.Roff())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("%s: groff: %v\n%s", p.Name, err, stderr.String())
		}
	}
}

// The front script's page names every command and option its usage does.
func TestFrontScriptPage(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	out, err := exec.Command("sh", "../../scripts/mailcop", "-h").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := Pages("../..")
	if err != nil {
		t.Fatal(err)
	}
	var page string
	for _, p := range pages {
		if p.Name == "mailcop" {
			page = p.Text
		}
	}
	item := regexp.MustCompile(`(?m)^  (-?[a-z()]+)`)
	for _, m := range item.FindAllStringSubmatch(string(out), -1) {
		if !regexp.MustCompile(`(?m)^\t` + regexp.QuoteMeta(m[1]) + ` `).MatchString(page) {
			t.Errorf("man/mailcop.1.md does not describe %s", m[1])
		}
	}
}
