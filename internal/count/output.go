package count

import (
	"bufio"
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/term"
)

// row is a group ready to print: its key split into values, with what the
// sort needs parsed once.
type row struct {
	g    *group
	vals []string
	ords []ord
}

// ord is a key value's sort order: addresses, networks and hours sort by
// what they mean, numbers by value, the rest byte-wise; absent values last.
type ord struct {
	class int8 // 0 parsed, 1 unparsed, 2 empty
	n     int64
	p     netip.Prefix
}

func makeOrd(k kind, v string) ord {
	if v == "" {
		return ord{class: 2}
	}
	switch k {
	case kindIP:
		if a, err := netip.ParseAddr(v); err == nil {
			return ord{p: netip.PrefixFrom(a, a.BitLen())}
		}
	case kindNet:
		if p, err := netip.ParsePrefix(v); err == nil {
			return ord{p: p}
		}
	case kindInt:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return ord{n: n}
		}
	case kindHour:
		if t, err := time.Parse("2006-01-02T15:00Z07:00", v); err == nil {
			return ord{n: t.Unix()}
		}
	}
	return ord{class: 1}
}

func (a ord) compare(b ord) int {
	if c := cmp.Compare(a.class, b.class); c != 0 || a.class != 0 {
		return c
	}
	if c := a.p.Compare(b.p); c != 0 {
		return c
	}
	return cmp.Compare(a.n, b.n)
}

// compareKeys orders by the -by fields in turn; the raw values break the
// remaining ties (two spellings of one address), so the order is total
// and the output the same bytes for the same input.
func compareKeys(a, b *row) int {
	for i := range a.ords {
		if c := a.ords[i].compare(b.ords[i]); c != 0 {
			return c
		}
		if c := strings.Compare(a.vals[i], b.vals[i]); c != 0 {
			return c
		}
	}
	return 0
}

// rows returns the groups to print, in print order.
func (c *counter) rows() []*row {
	nby := len(c.cfg.by)
	all := make([]row, 0, c.ngroups)
	// One backing array each for the rows' values and orders.
	vals := make([]string, 0, nby*c.ngroups)
	ords := make([]ord, nby*c.ngroups)
	for i := range c.ngroups {
		g := c.group(int32(i))
		if g.count < int64(c.cfg.min) {
			continue
		}
		at := len(vals)
		vals = c.splitKey(vals, g.key)
		r := row{g: g, vals: vals[at:len(vals):len(vals)], ords: ords[at:len(vals):len(vals)]}
		for j, v := range r.vals {
			r.ords[j] = makeOrd(c.cfg.by[j].kind, v)
		}
		all = append(all, r)
	}
	// Sort pointers: rows passed by value to a comparator that hands
	// their address on would each escape to the heap, per comparison.
	rows := make([]*row, len(all))
	for i := range all {
		rows[i] = &all[i]
	}
	// Measures sort biggest (or latest) first, keys in ascending order;
	// ties always fall to the key.
	var by func(a, b *row) int
	switch c.cfg.sort {
	case "count":
		by = func(a, b *row) int { return cmp.Compare(b.g.count, a.g.count) }
	case "users", "ips", "countries":
		d := dimUsers
		if c.cfg.sort == "ips" {
			d = dimIPs
		} else if c.cfg.sort == "countries" {
			d = dimCountries
		}
		by = func(a, b *row) int { return cmp.Compare(b.g.distinct[d], a.g.distinct[d]) }
	case "first":
		by = func(a, b *row) int { return compareStamps(b.g.first, a.g.first) }
	case "last":
		by = func(a, b *row) int { return compareStamps(b.g.last, a.g.last) }
	default: // key
		by = func(a, b *row) int { return 0 }
	}
	slices.SortFunc(rows, func(a, b *row) int {
		if c := by(a, b); c != 0 {
			return c
		}
		return compareKeys(a, b)
	})
	if c.cfg.top > 0 && len(rows) > c.cfg.top {
		rows = rows[:c.cfg.top]
	}
	if c.cfg.asc {
		slices.Reverse(rows)
	}
	return rows
}

// compareStamps orders by instant, a missing time before any other.
func compareStamps(a, b stamp) int {
	if c := cmp.Compare(a.flags&stampValid, b.flags&stampValid); c != 0 {
		return c
	}
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.nsec, b.nsec)
}

// A column of the output. Keys come first under their own names, then
// the tallies, then the attributes the key carries.
type colKind uint8

const (
	colKey colKind = iota
	colCount
	colFirst
	colLast
	colDistinct
	colExists
	colCountry
	colCountryName
	colScope
	colASN
	colASOrg
)

type column struct {
	name string
	kind colKind
	i    int // colKey: which -by field; colDistinct: which dimension
}

// columns lists the output's columns for this run; every row has the
// same, so that TSV lines up with its header.
func (c *counter) columns() []column {
	var cols []column
	has := map[string]bool{}
	for i, f := range c.cfg.by {
		cols = append(cols, column{name: f.name, kind: colKey, i: i})
		has[f.name] = true
	}
	cols = append(cols, column{name: "count", kind: colCount},
		column{name: "first", kind: colFirst}, column{name: "last", kind: colLast})
	for d := range nDims {
		if c.track[d] {
			cols = append(cols, column{name: dimNames[d], kind: colDistinct, i: d})
		}
	}
	if c.exists != nil {
		cols = append(cols, column{name: "exists", kind: colExists})
	}
	add := func(on bool, name string, k colKind) {
		if on && !has[name] {
			cols = append(cols, column{name: name, kind: k})
		}
	}
	add(c.carryGeo, "country", colCountry)
	add(c.carryCountry, "country_name", colCountryName)
	add(c.carryGeo, "scope", colScope)
	add(c.carryAS, "asn", colASN)
	add(c.carryAS, "as_org", colASOrg)
	return cols
}

// existsOf returns the exists state of the row's user.
func (c *counter) existsOf(r *row) uint8 {
	for i, f := range c.cfg.by {
		if f.name == "user" {
			return c.exists[r.vals[i]]
		}
	}
	return existsUnknown
}

// writeNDJSON writes one flat object per group, leaving out empty values.
func (c *counter) writeNDJSON(w *bufio.Writer, rows []*row) error {
	cols := c.columns()
	names := make([][]byte, len(cols)) // "name": once
	for i, col := range cols {
		names[i] = append(record.AppendString(nil, col.name), ':')
	}
	var b []byte
	for _, r := range rows {
		b = append(b[:0], '{')
		for i, col := range cols {
			b = c.appendJSONField(b, names[i], col, r)
		}
		if len(b) > 1 {
			b = b[:len(b)-1] // the last comma
		}
		b = append(b, '}', '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendJSONField appends name and the column's value and a comma, or
// nothing when the value is empty.
func (c *counter) appendJSONField(b, name []byte, col column, r *row) []byte {
	g := r.g
	switch col.kind {
	case colKey:
		v := r.vals[col.i]
		if v == "" {
			return b
		}
		b = append(b, name...)
		if c.cfg.by[col.i].kind == kindInt {
			b = append(b, v...) // digits this package wrote
		} else {
			b = record.AppendString(b, v)
		}
		return append(b, ',')
	case colCount:
		return appendNumField(b, name, g.count)
	case colFirst, colLast:
		st := g.first
		if col.kind == colLast {
			st = g.last
		}
		if !st.valid() {
			return b
		}
		b = append(append(b, name...), '"')
		return append(st.appendRFC3339(b), '"', ',')
	case colDistinct:
		return appendNumField(b, name, int64(g.distinct[col.i]))
	case colExists:
		switch c.existsOf(r) {
		case existsYes:
			return append(append(b, name...), "true,"...)
		case existsNo:
			return append(append(b, name...), "false,"...)
		}
		return b
	}
	switch col.kind {
	case colCountry:
		return appendStrField(b, name, g.attrs.country)
	case colCountryName:
		return appendStrField(b, name, g.attrs.countryName)
	case colScope:
		return appendStrField(b, name, g.attrs.scope)
	case colASN:
		return appendNumField(b, name, int64(g.attrs.asn))
	case colASOrg:
		return appendStrField(b, name, g.attrs.asOrg)
	}
	return b
}

func appendStrField(b, name []byte, v string) []byte {
	if v == "" {
		return b
	}
	return append(record.AppendString(append(b, name...), v), ',')
}

func appendNumField(b, name []byte, n int64) []byte {
	if n == 0 {
		return b
	}
	return append(strconv.AppendInt(append(b, name...), n, 10), ',')
}

// cell is a column's value as text, for TSV: RFC 3339 times as found,
// true/false for exists, "" when absent.
func (c *counter) cell(col column, r *row) string {
	g := r.g
	switch col.kind {
	case colKey:
		return r.vals[col.i]
	case colCount:
		return strconv.FormatInt(g.count, 10)
	case colFirst, colLast:
		st := g.first
		if col.kind == colLast {
			st = g.last
		}
		if !st.valid() {
			return ""
		}
		return string(st.appendRFC3339(nil))
	case colDistinct:
		return strconv.FormatUint(uint64(g.distinct[col.i]), 10)
	case colExists:
		switch c.existsOf(r) {
		case existsYes:
			return "true"
		case existsNo:
			return "false"
		}
		return ""
	}
	switch col.kind {
	case colCountry:
		return g.attrs.country
	case colCountryName:
		return g.attrs.countryName
	case colScope:
		return g.attrs.scope
	case colASN:
		if g.attrs.asn == 0 {
			return ""
		}
		return strconv.Itoa(g.attrs.asn)
	case colASOrg:
		return g.attrs.asOrg
	}
	return ""
}

// writeTSV writes a header line of the NDJSON names, then one line per
// group with every column, empty when absent. Values are escaped as in
// PostgreSQL's text format, and control characters made visible, so one
// line is one group and a terminal never receives an attacker's bytes.
func (c *counter) writeTSV(w *bufio.Writer, rows []*row) error {
	cols := c.columns()
	var b []byte
	for i, col := range cols {
		if i > 0 {
			b = append(b, '\t')
		}
		b = term.AppendSafe(b, col.name)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return err
	}
	for i := range rows {
		b = b[:0]
		for j, col := range cols {
			if j > 0 {
				b = append(b, '\t')
			}
			b = term.AppendSafe(b, c.cell(col, rows[i]))
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// A table column: a header, a cell per row, and which side it aligns to.
type tcol struct {
	head  string
	right bool
	cells []string
	width int
}

// maxPad is the widest a column is padded to, but the last.
const maxPad = 40

// leads are the key fields that make the first columns of a table, as the
// old mailcop-ips printed the address first: short values of bounded
// width. Other keys (usernames, attacker-chosen and of any length) come
// last, after the numbers as the old mailcop-logins printed them, so that
// a long one cannot push the other columns off the screen.
var leads = map[kind]bool{kindIP: true, kindNet: true, kindDay: true, kindHour: true, kindInt: true}

// writeTable writes an aligned table for people: a header line, numbers
// right-aligned, times in -tz to the minute, the country as "CN, China",
// everything from the log sanitised, and "-" for what is absent.
func (c *counter) writeTable(w *bufio.Writer, rows []*row) error {
	cols := c.columns()
	find := func(k colKind) (column, bool) {
		for _, col := range cols {
			if col.kind == k {
				return col, true
			}
		}
		return column{}, false
	}
	var out []*tcol
	addCol := func(head string, right bool, cell func(r *row) string) {
		t := &tcol{head: head, right: right, cells: make([]string, len(rows))}
		for i := range rows {
			v := cell(rows[i])
			if v == "" {
				v = "-"
			}
			t.cells[i] = v
		}
		out = append(out, t)
	}
	// optCol adds a column only if some row has something in it: without
	// mailcop-geo upstream, a COUNTRIES column of zeros is noise.
	optCol := func(head string, right bool, cell func(r *row) string) {
		for i := range rows {
			if v := cell(rows[i]); v != "" && v != "0" {
				addCol(head, right, cell)
				return
			}
		}
	}
	countryKey := false // the country key's cell shows the name too
	for _, f := range c.cfg.by {
		countryKey = countryKey || f.name == "country"
	}
	keyCol := func(col column) {
		f := c.cfg.by[col.i]
		addCol(strings.ToUpper(f.name), f.kind == kindInt, func(r *row) string {
			v := sanitize(r.vals[col.i])
			// A country reads better with its name, as the old scripts
			// printed it.
			if f.name == "country" && v != "" && r.g.attrs.countryName != "" {
				v += ", " + sanitize(r.g.attrs.countryName)
			}
			return v
		})
	}
	for _, col := range cols {
		if col.kind == colKey && leads[c.cfg.by[col.i].kind] {
			keyCol(col)
		}
	}
	// The numbers side by side, then the times.
	for _, col := range cols {
		switch col.kind {
		case colCount:
			addCol("COUNT", true, func(r *row) string { return c.cell(col, r) })
		case colDistinct:
			optCol(strings.ToUpper(col.name), true, func(r *row) string { return c.cell(col, r) })
		}
	}
	for _, col := range cols {
		switch col.kind {
		case colFirst, colLast:
			addCol(strings.ToUpper(col.name), false, func(r *row) string {
				st := r.g.first
				if col.kind == colLast {
					st = r.g.last
				}
				if !st.valid() {
					return ""
				}
				return st.time().In(c.cfg.loc).Format("2006-01-02 15:04")
			})
		case colExists:
			optCol("EXISTS", false, func(r *row) string {
				switch c.existsOf(r) {
				case existsYes:
					return "yes"
				case existsNo:
					return "no"
				}
				return ""
			})
		}
	}
	if _, ok := find(colCountry); ok {
		// The scope stands in for a reserved address's absent country.
		optCol("COUNTRY", false, func(r *row) string {
			a := r.g.attrs
			switch {
			case a.country != "" && a.countryName != "":
				return sanitize(a.country) + ", " + sanitize(a.countryName)
			case a.country != "":
				return sanitize(a.country)
			}
			return sanitize(a.scope)
		})
	} else if _, ok := find(colCountryName); ok && !countryKey {
		optCol("COUNTRY_NAME", false, func(r *row) string { return sanitize(r.g.attrs.countryName) })
	}
	if _, ok := find(colASN); ok {
		optCol("AS", false, func(r *row) string {
			a := r.g.attrs
			if a.asn == 0 {
				return sanitize(a.asOrg)
			}
			s := "AS" + strconv.Itoa(a.asn)
			if a.asOrg != "" {
				s += " " + sanitize(a.asOrg)
			}
			return s
		})
	} else if _, ok := find(colASOrg); ok {
		optCol("AS_ORG", false, func(r *row) string { return sanitize(r.g.attrs.asOrg) })
	}
	for _, col := range cols {
		if col.kind == colKey && !leads[c.cfg.by[col.i].kind] {
			keyCol(col)
		}
	}

	for i, t := range out {
		t.width = term.Width(t.head)
		for _, s := range t.cells {
			t.width = max(t.width, term.Width(s))
		}
		if i < len(out)-1 {
			// One long value overflows its own row rather than push
			// every row's next columns to the right.
			t.width = min(t.width, maxPad)
		}
	}
	var b []byte
	line := func(cell func(t *tcol) string) error {
		b = b[:0]
		for i, t := range out {
			s := cell(t)
			pad := max(t.width-term.Width(s), 0)
			if i > 0 {
				b = append(b, "  "...)
			}
			if t.right {
				b = appendSpaces(b, pad)
			}
			b = append(b, s...)
			if !t.right && i < len(out)-1 {
				b = appendSpaces(b, pad)
			}
		}
		b = append(b, '\n')
		_, err := w.Write(b)
		return err
	}
	if err := line(func(t *tcol) string { return sanitize(t.head) }); err != nil {
		return err
	}
	for i := range rows {
		if err := line(func(t *tcol) string { return t.cells[i] }); err != nil {
			return err
		}
	}
	return nil
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// sanitize makes a value from the log safe to print on a terminal.
func sanitize(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c >= 0x7f {
			return string(term.AppendSafe(nil, s))
		}
	}
	return s
}

// writeShort writes the old scripts' looks, the value and its count
// without headers or other columns:
//
//	218.107.46.228           2  CN, China    (-by ip or net, with the country)
//	     59  China                           (-by country, by its name)
//	      5 a.chaouche                       (other fields, as uniq -c)
//
// Counts take seven columns, as uniq -c gives them, or more when they need
// it; addresses are padded to the widest. Everything from the log is
// sanitised.
func (c *counter) writeShort(w *bufio.Writer, rows []*row) error {
	countW := 7
	for _, r := range rows {
		countW = max(countW, len(strconv.FormatInt(r.g.count, 10)))
	}
	value := func(r *row) string {
		var vals []string
		for _, v := range r.vals {
			vals = append(vals, sanitize(v))
		}
		return strings.Join(vals, " ")
	}
	ipLike := len(c.cfg.by) == 1 && (c.cfg.by[0].kind == kindIP || c.cfg.by[0].kind == kindNet)
	countryKey := len(c.cfg.by) == 1 && c.cfg.by[0].name == "country"
	valueW := 0
	if ipLike {
		valueW = 15 // as wide as the widest IPv4 address
		for _, r := range rows {
			valueW = max(valueW, term.Width(value(r)))
		}
		countW += 3 // the old mailcop-ips set counts apart from addresses
	}
	var b []byte
	for _, r := range rows {
		n := strconv.FormatInt(r.g.count, 10)
		b = b[:0]
		switch {
		case ipLike:
			v := dash(value(r))
			b = appendSpaces(append(b, v...), valueW-term.Width(v))
			b = append(appendSpaces(b, countW-len(n)), n...)
			a := r.g.attrs
			label := sanitize(a.scope)
			switch {
			case a.country != "" && a.countryName != "":
				label = sanitize(a.country) + ", " + sanitize(a.countryName)
			case a.country != "":
				label = sanitize(a.country)
			}
			if label != "" {
				b = append(append(b, "  "...), label...)
			}
		case countryKey:
			name := sanitize(r.g.attrs.countryName)
			if name == "" {
				name = dash(value(r))
			}
			b = append(appendSpaces(b, countW-len(n)), n...)
			b = append(append(b, "  "...), name...)
		default:
			b = append(appendSpaces(b, countW-len(n)), n...)
			b = append(append(b, ' '), dash(value(r))...)
		}
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// dash stands for an absent value.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
