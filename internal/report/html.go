package report

import (
	"bufio"
	"html/template"
)

// The HTML page is one self-contained document: inline styles only (mail
// clients drop <style> blocks and external sheets), no script, no image,
// nothing fetched. Bar charts are table cells of a width and a background
// colour, which every mail client renders, Outlook's Word engine included.
// html/template escapes every string from the summary, which is already
// free of control characters (safe).
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45">
<h1 style="font-size:20px;margin:0 0 8px 0">{{.Title}}</h1>
{{- if .Start}}
<p style="margin:0 0 12px 0;color:#59636e">{{.StartLabel}} {{.Start}}<br>{{.EndLabel}} {{.End}}</p>
{{- end}}
{{- range .Totals}}
<p style="margin:0 0 4px 0">{{.}}</p>
{{- end}}
{{- range .Sections}}
<h2 style="font-size:16px;margin:22px 0 6px 0;{{if .Alert}}color:#b42318{{else}}color:#1f2328{{end}}">{{.Title}}</h2>
{{- range .Notes}}
<p style="margin:0 0 6px 0;color:#59636e">{{.}}</p>
{{- end}}
{{- with .Table}}
<table cellpadding="4" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
<tr>{{range .Heads}}<th align="{{.Align}}" style="border-bottom:1px solid #d1d9e0;color:#59636e">{{.Text}}</th>{{end}}{{if .Bars}}<th style="border-bottom:1px solid #d1d9e0"></th>{{end}}</tr>
{{- range .Rows}}
<tr>{{range .Cells}}<td{{if .Right}} align="right"{{end}}>{{.Text}}</td>{{end}}
{{- if .Bar}}<td><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td width="{{.Bar}}" height="10" bgcolor="{{$.BarColor}}" style="background:{{$.BarColor}};font-size:1px;line-height:1px">&nbsp;</td></tr></table></td>{{else if .HasBars}}<td></td>{{end}}</tr>
{{- end}}
</table>
{{- end}}
{{- range .Pre}}
<pre style="margin:4px 0;padding:6px;background:#f6f8fa;font-size:12px;white-space:pre-wrap;word-break:break-all">{{.}}</pre>
{{- end}}
{{- end}}
<p style="margin:24px 0 0 0;color:#818b98;font-size:12px">mailcop</p>
</body>
</html>
`))

type htmlPage struct {
	Lang, Title       string
	StartLabel, Start string
	EndLabel, End     string
	Totals            []string
	Sections          []htmlSection
	BarColor          template.CSS
}

type htmlSection struct {
	Title string
	Alert bool
	Notes []string
	Table *htmlTable
	Pre   []string
}

type htmlTable struct {
	Heads []htmlCell
	Rows  []htmlRow
	Bars  bool
}

type htmlRow struct {
	Cells   []htmlCell
	Bar     int // width in pixels, 0 for none
	HasBars bool
}

type htmlCell struct {
	Text  string
	Align string
	Right bool
}

// htmlBarWidth is the longest bar, in pixels.
const htmlBarWidth = 240

func writeHTML(w *bufio.Writer, sum *summary) error {
	p := htmlPage{
		Lang: sum.m.lang, Title: sum.title,
		StartLabel: sum.m.start, Start: sum.start, EndLabel: sum.m.end, End: sum.end,
		Totals: sum.totals, BarColor: "#cf222e",
	}
	for i := range sum.sections {
		sec := &sum.sections[i]
		hs := htmlSection{Title: sec.title, Alert: sec.alert, Notes: sec.notes, Pre: sec.pre}
		if t := sec.table; t != nil {
			ht := &htmlTable{Bars: len(t.bars) > 0}
			for _, c := range t.cols {
				ht.Heads = append(ht.Heads, htmlCell{Text: c.head, Align: align(c.right)})
			}
			var top int64
			for _, n := range t.bars {
				top = max(top, n)
			}
			for ri, r := range t.rows {
				row := htmlRow{HasBars: ht.Bars}
				for ci, c := range r {
					row.Cells = append(row.Cells, htmlCell{Text: c, Right: t.cols[ci].right})
				}
				if ht.Bars {
					row.Bar = barCells(t.bars[ri], top, htmlBarWidth)
				}
				ht.Rows = append(ht.Rows, row)
			}
			hs.Table = ht
		}
		p.Sections = append(p.Sections, hs)
	}
	return page.Execute(w, p)
}

func align(right bool) string {
	if right {
		return "right"
	}
	return "left"
}
