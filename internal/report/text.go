package report

import (
	"bufio"
	"strings"

	"github.com/mailcop/mailcop/internal/term"
)

// writeText writes a summary for a terminal or a plain-text mail: a
// heading per section, underlined, and aligned tables indented by two.
func writeText(w *bufio.Writer, sum *summary) error {
	heading(w, sum.title, '=')
	if sum.start != "" {
		lw := max(term.Width(sum.m.start), term.Width(sum.m.end))
		w.WriteString("\n" + pad(sum.m.start, lw, false) + " " + sum.start + "\n")
		w.WriteString(pad(sum.m.end, lw, false) + " " + sum.end + "\n")
	}
	w.WriteString("\n")
	for _, t := range sum.totals {
		wrap(w, t, "")
	}
	for i := range sum.sections {
		sec := &sum.sections[i]
		w.WriteString("\n")
		heading(w, sec.title, '-')
		for _, n := range sec.notes {
			wrap(w, n, "  ")
		}
		if sec.table != nil {
			writeTable(w, sec.table)
		}
		for _, p := range sec.pre {
			w.WriteString("  " + p + "\n")
		}
	}
	_, err := w.WriteString("")
	return err
}

func heading(w *bufio.Writer, s string, under byte) {
	w.WriteString(s + "\n")
	w.WriteString(strings.Repeat(string(under), term.Width(s)) + "\n")
}

// wrap writes s in lines of at most 78 cells, each starting with indent.
func wrap(w *bufio.Writer, s, indent string) {
	line := indent
	for _, word := range strings.Split(s, " ") {
		if line != indent && term.Width(line)+1+term.Width(word) > 78 {
			w.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	w.WriteString(line + "\n")
}

// barWidth is the longest bar a text chart draws.
const barWidth = 40

func writeTable(w *bufio.Writer, t *table) {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = term.Width(c.head)
		for _, r := range t.rows {
			widths[i] = max(widths[i], term.Width(r[i]))
		}
	}
	var top int64
	for _, n := range t.bars {
		top = max(top, n)
	}
	line := func(cells []string, bar string) {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			last := i == len(cells)-1 && bar == ""
			if last && !t.cols[i].right {
				b.WriteString(c)
			} else {
				b.WriteString(pad(c, widths[i], t.cols[i].right))
			}
		}
		if bar != "" {
			b.WriteString("  " + bar)
		}
		w.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	heads := make([]string, len(t.cols))
	for i, c := range t.cols {
		heads[i] = c.head
	}
	line(heads, "")
	for i, r := range t.rows {
		bar := ""
		if t.textBars && top > 0 {
			bar = strings.Repeat("#", barCells(t.bars[i], top, barWidth))
		}
		line(r, bar)
	}
}

// barCells scales n of top to at most full cells, at least one for
// anything above zero.
func barCells(n, top int64, full int) int {
	if n <= 0 || top <= 0 {
		return 0
	}
	c := int((n*int64(full) + top/2) / top)
	return max(c, 1)
}
