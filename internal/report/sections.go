package report

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// why says, in the report's language, why a login is listed: the
// watch's reasons, as -alert and -live say them.
func (l *login) why(m *msgs) string {
	if l.reasons != "" {
		return clip(l.reasons, 200)
	}
	return safe(verdictWhy(m, &l.v))
}

// loginSection lists the possible compromises (high) or the logins that
// look like their owner's after a slip (low), in input order.
func (s *stats) loginSection(m *msgs, high bool) *section {
	t := &table{cols: []column{{head: m.colTime}, {head: m.colAccount}, {head: m.colAddress}}}
	if s.geo {
		t.cols = append(t.cols, column{head: m.colCountry})
	}
	t.cols = append(t.cols, column{head: m.colService}, column{head: m.colWhy})
	for _, l := range s.listed {
		if l.alarm != high {
			continue
		}
		row := []string{s.fmtTime(l.time), accountOr(m, clip(l.user, clipNarrow)), clip(l.ip, clipNarrow)}
		if s.geo {
			row = append(row, dash(l.country))
		}
		t.rows = append(t.rows, append(row, dash(clip(l.service, 16)), l.why(m)))
	}
	if len(t.rows) == 0 {
		return nil
	}
	sec := &section{title: m.secCompromise, alert: high, table: t}
	if !high {
		sec.title = m.secOwner
	}
	if high && s.dropped > 0 {
		sec.notes = append(sec.notes, fmt.Sprintf("(+%d)", s.dropped))
	}
	return sec
}

// accountOr is the account, or says that the log named none.
func accountOr(m *msgs, user string) string {
	if user == "" {
		return m.notLogged
	}
	return user
}

func (s *stats) fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(s.loc).Format(timeLayout)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *stats) hostSection(m *msgs) *section {
	type row struct {
		name string
		h    *hostStat
	}
	var rows []row
	for _, h := range s.hosts {
		rows = append(rows, row{h.name, h})
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.h.attempts, a.h.attempts), cmp.Compare(a.name, b.name))
	})
	// An address that attacked several servers is one address in every
	// other table; here each server says how many of its attackers it
	// shares with the others.
	servers := map[uint32]int{} // per address, the servers it attacked
	for k := range s.hostIPs {
		servers[uint32(k)]++
	}
	shared := map[uint32]int64{} // per server, its addresses that attacked others too
	for k := range s.hostIPs {
		if servers[uint32(k)] > 1 {
			shared[uint32(k>>32)]++
		}
	}
	t := &table{cols: []column{{head: m.colAttempts, right: true}, {head: m.colLogins, right: true},
		{head: m.colAddresses, right: true}, {head: m.colShared, right: true}, {head: m.colHost}}}
	for _, r := range rows {
		t.rows = append(t.rows, []string{num(r.h.attempts), num(r.h.logins), num(r.h.ips), num(shared[r.h.id]), dash(clip(r.name, clipWide))})
		t.bars = append(t.bars, r.h.attempts)
	}
	return &section{title: m.secHosts, table: t, notes: []string{m.sharedNote}}
}

func (s *stats) countrySection(m *msgs) *section {
	sec := &section{title: fmt.Sprintf(m.secCountries, s.top)}
	if !s.geo {
		sec.notes = []string{m.noGeo}
		return sec
	}
	keys := make([]string, 0, len(s.countries))
	for k := range s.countries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(s.countries[b].attempts, s.countries[a].attempts), cmp.Compare(a, b))
	})
	t := &table{cols: []column{{head: m.colAttempts, right: true}, {head: m.colAddresses, right: true}, {head: m.colCountry}}}
	for _, k := range keys[:min(len(keys), s.top)] {
		c := s.countries[k]
		label := c.label
		if label == "" {
			label = m.unknown
		}
		t.rows = append(t.rows, []string{num(c.attempts), num(c.ips), label})
		t.bars = append(t.bars, c.attempts)
	}
	sec.table = t
	return sec
}

// topIPs returns the indexes of the addresses that failed, loudest first,
// ties in address order.
func (s *stats) topIPs(keep func(*ipStat) bool) []int32 {
	var idx []int32
	for i := range s.ips {
		if s.ips[i].attempts > 0 && (keep == nil || keep(&s.ips[i])) {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := &s.ips[a], &s.ips[b]
		return cmp.Or(cmp.Compare(y.attempts, x.attempts), compareAddr(x.ip, y.ip))
	})
	return idx[:min(len(idx), s.top)]
}

// compareAddr orders addresses numerically (IPv4 first), and what is not
// an address after them, as text.
func compareAddr(a, b string) int {
	x, errx := netip.ParseAddr(a)
	y, erry := netip.ParseAddr(b)
	switch {
	case errx == nil && erry == nil:
		return x.Compare(y)
	case errx == nil:
		return -1
	case erry == nil:
		return 1
	}
	return cmp.Compare(a, b)
}

// compareNet orders networks by their address.
func compareNet(a, b string) int {
	x, errx := netip.ParsePrefix(a)
	y, erry := netip.ParsePrefix(b)
	if errx == nil && erry == nil {
		return cmp.Or(x.Addr().Compare(y.Addr()), cmp.Compare(x.Bits(), y.Bits()))
	}
	return compareAddr(a, b)
}

func (s *stats) asLabel(ip *ipStat) string {
	switch {
	case ip.asn != 0 && ip.asOrg != "":
		return "AS" + strconv.Itoa(ip.asn) + " " + clip(ip.asOrg, 40)
	case ip.asn != 0:
		return "AS" + strconv.Itoa(ip.asn)
	}
	return clip(ip.asOrg, 40)
}

func (s *stats) ipCountry(ip *ipStat) string {
	if c := s.countries[ip.country]; c != nil {
		return c.label
	}
	return ""
}

func (s *stats) ipSection(m *msgs) *section {
	cols := []column{{head: m.colAddress}, {head: m.colAttempts, right: true}, {head: m.colAccounts, right: true}}
	if s.geo {
		cols = append(cols, column{head: m.colCountry}, column{head: m.colAS, opt: true})
	}
	if s.f2b {
		cols = append(cols, column{head: m.colBanned})
	}
	t := &table{cols: cols}
	for _, i := range s.topIPs(nil) {
		ip := &s.ips[i]
		row := []string{clip(ip.ip, clipNarrow), num(ip.attempts), num(ip.users)}
		if s.geo {
			row = append(row, dash(s.ipCountry(ip)), dash(s.asLabel(ip)))
		}
		if s.f2b {
			row = append(row, m.yesNo(s.bans[ip.ip] != nil))
		}
		t.rows = append(t.rows, row)
		t.bars = append(t.bars, ip.attempts)
	}
	return &section{title: fmt.Sprintf(m.secIPs, s.top), table: t.prune()}
}

func (m *msgs) yesNo(b bool) string {
	if b {
		return m.yes
	}
	return m.no
}

func (s *stats) userSection(m *msgs) *section {
	var idx []int32
	for i := range s.users {
		if s.users[i].attempts > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := &s.users[a], &s.users[b]
		return cmp.Or(cmp.Compare(y.attempts, x.attempts), cmp.Compare(x.name, y.name))
	})
	t := &table{cols: []column{{head: m.colAttempts, right: true}, {head: m.colAddresses, right: true},
		{head: m.colExists}, {head: m.colAccount}}}
	for _, i := range idx[:min(len(idx), s.top)] {
		u := &s.users[i]
		exists := "?"
		switch u.exists {
		case 1:
			exists = m.yes
		case -1:
			exists = m.no
		}
		t.rows = append(t.rows, []string{num(u.attempts), num(u.ips), exists, clip(u.name, clipWide)})
		t.bars = append(t.bars, u.attempts)
	}
	if len(t.rows) == 0 {
		return nil
	}
	return &section{title: fmt.Sprintf(m.secUsers, s.top), table: t}
}

func (s *stats) netSection(m *msgs) *section {
	keys := make([]string, 0, len(s.nets))
	for k, n := range s.nets {
		if n.attempts > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		x, y := s.nets[a], s.nets[b]
		return cmp.Or(cmp.Compare(y.attempts, x.attempts), cmp.Compare(y.ips, x.ips), compareNet(a, b))
	})
	t := &table{cols: []column{{head: m.colNetwork}, {head: m.colAttempts, right: true}, {head: m.colAddresses, right: true}}}
	for _, k := range keys[:min(len(keys), s.top)] {
		n := s.nets[k]
		t.rows = append(t.rows, []string{clip(k, clipNarrow), num(n.attempts), num(n.ips)})
		t.bars = append(t.bars, n.attempts)
	}
	return &section{title: fmt.Sprintf(m.secNets, s.top), table: t}
}

// hourSection charts the attempts per hour of the period, empty hours
// included; over more than two days, per day.
func (s *stats) hourSection(m *msgs) *section {
	if len(s.hours) == 0 {
		return nil
	}
	lo, hi := int64(1<<62), int64(-1<<62)
	for h := range s.hours {
		lo, hi = min(lo, h), max(hi, h)
	}
	wall := func(h int64) time.Time { return time.Unix(h*3600, 0).UTC() }
	t := &table{textBars: true}
	sec := &section{table: t}
	if hi-lo < 48 {
		sec.title = m.secHours
		t.cols = []column{{head: m.colHour}, {head: m.colAttempts, right: true}}
		layout := "15:00"
		if wall(lo).YearDay() != wall(hi).YearDay() || wall(lo).Year() != wall(hi).Year() {
			layout = "01-02 15:00"
		}
		for h := lo; h <= hi; h++ {
			t.rows = append(t.rows, []string{wall(h).Format(layout), num(s.hours[h])})
			t.bars = append(t.bars, s.hours[h])
		}
		return sec
	}
	sec.title = m.secDays
	t.cols = []column{{head: m.colDay}, {head: m.colAttempts, right: true}}
	days := map[string]int64{}
	var order []string
	for h := lo; h <= hi; h++ {
		d := wall(h).Format("2006-01-02")
		if _, ok := days[d]; !ok {
			order = append(order, d)
		}
		days[d] = sat(days[d], s.hours[h])
	}
	for _, d := range order {
		t.rows = append(t.rows, []string{d, num(days[d])})
		t.bars = append(t.bars, days[d])
	}
	return sec
}

// hashSection lists the clients that sent the same wrong password hash
// at least twice.
func (s *stats) hashSection(m *msgs) *section {
	type row struct {
		ip, user *string
		hash     string
		n        int64
	}
	var rows []row
	for key, h := range s.hashes {
		for i, hash := range h.hash {
			if hash != "" && h.n[i] >= 2 {
				rows = append(rows, row{&s.ips[key>>32].ip, &s.users[uint32(key)].name, hash, h.n[i]})
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.n, a.n), compareAddr(*a.ip, *b.ip), cmp.Compare(*a.user, *b.user), cmp.Compare(a.hash, b.hash))
	})
	t := &table{cols: []column{{head: m.colAddress}, {head: m.colTimes, right: true}, {head: m.colHash}, {head: m.colAccount}}}
	for _, r := range rows[:min(len(rows), s.top)] {
		t.rows = append(t.rows, []string{clip(*r.ip, clipNarrow), num(r.n), clip(r.hash, 16), clip(*r.user, clipWide)})
	}
	return &section{title: m.secHashes, notes: []string{m.hashesNote}, table: t}
}

// lastSection shows the last attempts as the old mail did: time,
// account, address, country.
func (s *stats) lastSection(m *msgs) *section {
	n := min(s.lastN, int64(len(s.lastRing)))
	if n == 0 {
		return nil
	}
	var last []*attempt
	several := false
	for i := s.lastN - n; i < s.lastN; i++ {
		a := &s.lastRing[i%int64(len(s.lastRing))]
		last = append(last, a)
		several = several || a.n > 1
	}
	t := &table{cols: []column{{head: m.colTime}, {head: m.colAccount}, {head: m.colAddress}}}
	if s.geo {
		t.cols = append(t.cols, column{head: m.colCountry})
	}
	if several {
		t.cols = append(t.cols, column{head: m.colAttempts, right: true})
	}
	for _, a := range last {
		row := []string{s.fmtTime(a.time), dash(clip(a.user, clipNarrow)), dash(clip(a.ip, clipNarrow))}
		if s.geo {
			row = append(row, dash(a.country))
		}
		if several {
			row = append(row, num(a.n))
		}
		t.rows = append(t.rows, row)
	}
	title := m.secLast
	if strings.Contains(title, "%d") {
		title = fmt.Sprintf(title, s.top)
	}
	return &section{title: title, table: t}
}

func (s *stats) banSection(m *msgs) *section {
	bans := make([]*ban, 0, len(s.bans))
	for _, b := range s.bans {
		bans = append(bans, b)
	}
	slices.SortFunc(bans, func(a, b *ban) int {
		return cmp.Or(b.time.Compare(a.time), compareAddr(a.ip, b.ip))
	})
	cols := []column{{head: m.colTime}, {head: m.colAddress}, {head: m.colAttempts, right: true}}
	if s.geo {
		cols = append(cols, column{head: m.colCountry})
	}
	cols = append(cols, column{head: m.colJail})
	t := &table{cols: cols}
	for _, b := range bans[:min(len(bans), s.top)] {
		var n int64
		country := ""
		if i, ok := s.ipIdx[b.ip]; ok {
			n = s.ips[i].attempts
			country = s.ipCountry(&s.ips[i])
		}
		jail := clip(b.jail, 32)
		if b.restored {
			jail += " (" + m.restored + ")"
		}
		row := []string{s.fmtTime(b.time), clip(b.ip, clipNarrow), num(n)}
		if s.geo {
			row = append(row, dash(country))
		}
		t.rows = append(t.rows, append(row, dash(jail)))
	}
	if len(t.rows) == 0 {
		return nil
	}
	return &section{title: fmt.Sprintf(m.secBans, s.top), table: t}
}

func (s *stats) notBannedSection(m *msgs) *section {
	idx := s.topIPs(func(ip *ipStat) bool { return s.bans[ip.ip] == nil })
	if len(idx) == 0 {
		return nil
	}
	cols := []column{{head: m.colAddress}, {head: m.colAttempts, right: true}, {head: m.colAccounts, right: true}}
	if s.geo {
		cols = append(cols, column{head: m.colCountry}, column{head: m.colAS, opt: true})
	}
	t := &table{cols: cols}
	for _, i := range idx {
		ip := &s.ips[i]
		row := []string{clip(ip.ip, clipNarrow), num(ip.attempts), num(ip.users)}
		if s.geo {
			row = append(row, dash(s.ipCountry(ip)), dash(s.asLabel(ip)))
		}
		t.rows = append(t.rows, row)
		t.bars = append(t.bars, ip.attempts)
	}
	return &section{title: m.secNotBanned, table: t.prune()}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
