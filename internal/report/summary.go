package report

import (
	"fmt"
	"strconv"
	"strings"
)

// summary is a report laid out, independently of how it is rendered: the
// text, HTML and mail forms all show the same sections. Every string in
// it is already safe for a terminal (see safe); the HTML renderer escapes
// them again for HTML.
type summary struct {
	m        *msgs
	title    string
	host     string
	start    string // "" when no record had a time
	end      string
	totals   []string
	alerts   int64 // possible compromises
	attempts int64
	sections []section
}

type section struct {
	title string
	alert bool     // possible compromises: shown in red
	notes []string // paragraphs before the table
	table *table
	pre   []string // lines shown as they are (the parser's unmatched lines)
}

type table struct {
	cols []column
	rows [][]string
	// bars, when set, are the numbers drawn as a bar chart beside the
	// rows (in HTML; in text too when textBars).
	bars     []int64
	textBars bool
}

type column struct {
	head  string
	right bool
	opt   bool // dropped when no row has anything in it
}

// prune drops the optional columns no row fills: without an AS database,
// a column of dashes is noise.
func (t *table) prune() *table {
	for i := len(t.cols) - 1; i >= 0; i-- {
		if !t.cols[i].opt {
			continue
		}
		empty := true
		for _, r := range t.rows {
			empty = empty && r[i] == "-"
		}
		if !empty {
			continue
		}
		t.cols = append(t.cols[:i], t.cols[i+1:]...)
		for j, r := range t.rows {
			t.rows[j] = append(r[:i], r[i+1:]...)
		}
	}
	return t
}

// Clip widths: attacker-chosen text is cut to keep tables readable.
const (
	clipWide   = 64 // the last column of a table
	clipNarrow = 40 // a column with others after it
)

// timeLayout is how times read in a summary.
const timeLayout = "2006-01-02 15:04:05"

func (s *stats) summary(m *msgs, host string) *summary {
	sum := &summary{m: m, host: host, title: fmt.Sprintf(m.title, host), alerts: s.nHigh, attempts: s.attempts}
	if s.haveTime {
		sum.start = s.first.In(s.loc).Format(timeLayout + " MST")
		sum.end = s.last.In(s.loc).Format(timeLayout + " MST")
	}
	if s.attempts == 0 && s.logins == 0 {
		sum.totals = append(sum.totals, m.noRecords)
	} else {
		line := m.attempts(s.attempts, s.distinctIPs(), s.distinctUsers())
		if n := s.distinctCountries(); n > 0 {
			line += m.countries(n)
		}
		sum.totals = append(sum.totals, line, m.logins(s.logins, s.after))
		if s.nHigh > 0 {
			sum.totals = append(sum.totals, m.alerts(s.nHigh))
		}
	}
	if s.f2b {
		sum.totals = append(sum.totals, m.bansTotal(s.nBans, int64(len(s.bans))))
	}

	add := func(sec *section) {
		if sec != nil {
			sum.sections = append(sum.sections, *sec)
		}
	}
	if len(s.warnings) > 0 {
		add(&section{title: m.secWarnings, alert: true, notes: []string{m.warningsNote}, pre: s.warnings})
	}
	add(s.loginSection(m, true))
	add(s.loginSection(m, false))
	if named := len(s.hosts) - btoi(s.hosts[""] != nil); named > 1 {
		add(s.hostSection(m))
	}
	if s.attempts > 0 {
		add(s.countrySection(m))
		add(s.ipSection(m))
		add(s.userSection(m))
		add(s.netSection(m))
		add(s.hourSection(m))
		add(s.hashSection(m))
		add(s.lastSection(m))
	}
	if s.f2b {
		add(s.banSection(m))
		add(s.notBannedSection(m))
	}
	if s.unmatched > 0 || len(s.blind) > 0 {
		sec := &section{title: m.secCoverage}
		if len(s.blind) > 0 {
			sec.notes = append(sec.notes, m.blind(blindHosts(s.blind)))
		}
		if s.unmatched > 0 {
			sec.notes = append(sec.notes, m.coverage(s.unmatched), m.coverageNote)
			sec.pre = s.unmatchedEx
		}
		add(sec)
	}
	return sum
}

// blindHosts names the hosts of coverage records, as the log wrote them
// (made safe): "" when the log named none.
func blindHosts(hosts []string) string {
	var named []string
	for _, h := range hosts {
		if h != "" {
			named = append(named, clip(h, clipNarrow))
		}
	}
	return strings.Join(named, ", ")
}

func (s *stats) distinctIPs() int64 {
	var n int64
	for i := range s.ips {
		if s.ips[i].attempts > 0 {
			n++
		}
	}
	return n
}

func (s *stats) distinctUsers() int64 {
	var n int64
	for i := range s.users {
		if s.users[i].attempts > 0 {
			n++
		}
	}
	return n
}

func (s *stats) distinctCountries() int64 {
	var n int64
	for k := range s.countries {
		if k != "" && k[0] != '(' {
			n++
		}
	}
	return n
}

func num(n int64) string { return strconv.FormatInt(n, 10) }
