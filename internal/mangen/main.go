// Mangen writes mailcop's manual pages, in roff for man(1), from the
// documentation that go doc shows: the package comment of each
// cmd/mailcop-*/doc.go, and man/*.md for what is not a Go command (the
// mailcop front script, the daily mail), written in the same syntax. The
// pages are built, not kept: they cannot drift from the docs.
//
// Usage:
//
//	go run ./internal/mangen [-o dir]
//
// It is run from the repository's root; -o is where the pages go
// (default bin/man, beside the binaries): mailcop-tail.1, ..., mailcop.1.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	out := flag.String("o", filepath.Join("bin", "man"), "output `dir`")
	flag.Parse()
	pages, err := Pages(".")
	if err == nil {
		err = os.MkdirAll(*out, 0o755)
	}
	for _, p := range pages {
		if err != nil {
			break
		}
		err = os.WriteFile(filepath.Join(*out, p.Name+".1"), []byte(p.Roff()), 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mangen: %v\n", err)
		os.Exit(1)
	}
}

// Page is one manual page: the command's name and its documentation.
type Page struct {
	Name string
	Doc  *comment.Doc
	Text string // the documentation as written
}

// Pages reads the documentation of every command under root/cmd and of
// root/man/*.md, in name order.
func Pages(root string) ([]Page, error) {
	var pages []Page
	dirs, err := filepath.Glob(filepath.Join(root, "cmd", "mailcop-*", "doc.go"))
	if err != nil {
		return nil, err
	}
	for _, path := range dirs {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return nil, err
		}
		if f.Doc == nil {
			return nil, fmt.Errorf("%s: no package comment", path)
		}
		pages = append(pages, newPage(filepath.Base(filepath.Dir(path)), docText(f.Doc)))
	}
	mds, err := filepath.Glob(filepath.Join(root, "man", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, path := range mds {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".md"), ".1")
		pages = append(pages, newPage(name, string(b)))
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].Name < pages[j].Name })
	return pages, nil
}

func docText(g *ast.CommentGroup) string { return g.Text() }

func newPage(name, text string) Page {
	var p comment.Parser
	return Page{Name: name, Doc: p.Parse(text), Text: text}
}

// Summary is the NAME line's description: the first sentence's first
// clause, without the command's name ("Mailcop-report shows password
// attacks to people: ..." gives "shows password attacks to people").
func (p Page) Summary() string {
	s := strings.Join(strings.Fields(p.Text), " ")
	if i := strings.IndexAny(s, ".:;"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " — "); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ", "); i >= 0 && i > 20 {
		s = s[:i]
	}
	first, rest, _ := strings.Cut(s, " ")
	if strings.EqualFold(first, p.Name) {
		s = rest
	}
	return s
}

// Roff renders the page for man(1): NAME, SYNOPSIS (the code block after
// "Usage:"), then the text, its headings as sections.
func (p Page) Roff() string {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1 \"\" \"mailcop\" \"mailcop manual\"\n", strings.ToUpper(escape(p.Name)))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", escape(p.Name), escape(p.Summary()))
	blocks := p.Doc.Content
	// The synopsis first: the code block after a paragraph "Usage:".
	usage := -1
	for i := 0; i+1 < len(blocks); i++ {
		para, ok := blocks[i].(*comment.Paragraph)
		if _, code := blocks[i+1].(*comment.Code); ok && code && plain(para.Text) == "Usage:" {
			usage = i
			b.WriteString(".SH SYNOPSIS\n")
			writeCode(&b, blocks[i+1].(*comment.Code).Text)
			break
		}
	}
	b.WriteString(".SH DESCRIPTION\n")
	for i := 0; i < len(blocks); i++ {
		if i == usage {
			i++
			continue
		}
		if h, ok := blocks[i].(*comment.Heading); ok {
			fmt.Fprintf(&b, ".SH %s\n", strings.ToUpper(escape(plain(h.Text))))
			continue
		}
		writeBlock(&b, blocks[i])
	}
	return b.String()
}

func writeBlock(b *strings.Builder, blk comment.Block) {
	switch blk := blk.(type) {
	case *comment.Paragraph:
		b.WriteString(".PP\n")
		writeLines(b, plain(blk.Text))
	case *comment.Code:
		writeCode(b, blk.Text)
	case *comment.List:
		for _, item := range blk.Items {
			mark := "\\(bu"
			if item.Number != "" {
				mark = escape(item.Number) + "."
			}
			fmt.Fprintf(b, ".IP %s 4\n", mark)
			for i, c := range item.Content {
				if i > 0 {
					b.WriteString(".IP\n")
				}
				if para, ok := c.(*comment.Paragraph); ok {
					writeLines(b, plain(para.Text))
				}
			}
		}
		b.WriteString(".PP\n")
	}
}

func writeCode(b *strings.Builder, text string) {
	b.WriteString(".PP\n.RS 4\n.nf\n")
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		b.WriteString(line(strings.ReplaceAll(l, "\t", "        ")) + "\n")
	}
	b.WriteString(".fi\n.RE\n")
}

// writeLines writes running text, one source line per line.
func writeLines(b *strings.Builder, s string) {
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		b.WriteString(line(strings.TrimSpace(l)) + "\n")
	}
}

// line escapes a line of text: a line must not start a request.
func line(s string) string {
	s = escape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}

// escape makes text literal for roff: backslashes, hyphens as the minus
// signs that options are made of, and what is not ASCII as \[uXXXX],
// which groff and mandoc read whatever the locale.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-':
			b.WriteString(`\-`)
		case r > 0x7f:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain is the text of a comment's inline content; links keep their text
// and their address.
func plain(text []comment.Text) string {
	var b strings.Builder
	for _, t := range text {
		switch t := t.(type) {
		case comment.Plain:
			b.WriteString(string(t))
		case comment.Italic:
			b.WriteString(string(t))
		case *comment.Link:
			b.WriteString(plain(t.Text))
			if t.URL != "" && plain(t.Text) != t.URL {
				b.WriteString(" <" + t.URL + ">")
			}
		case *comment.DocLink:
			b.WriteString(plain(t.Text))
		}
	}
	return b.String()
}
