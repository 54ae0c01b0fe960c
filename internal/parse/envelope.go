package parse

import "time"

// envelope is what a log line's prefix says: when, and on which host.
// The syslog tag (program and pid) is left in msg for the caller.
type envelope struct {
	time       time.Time // zero when the line carries no time (compose prefix only)
	fracDigits int       // digits of fraction to print (0-9): as written, 6 for TAI64N
	host       string    // "" when the format has none (dovecot log_path, TAI64N, bare docker)
}

// clock turns year-less, zone-less stamps into instants (see Config).
//
// Year: a stamp without one takes year if set. Otherwise it takes ref's
// year in loc, or the year before when that would put it more than 24 h
// after ref; Feb 29 steps back to the latest leap year that satisfies
// this. ref is the file's mtime, or now when following: a follower
// should move ref forward (e.g. once per read), which is cheap because
// the stamp cache below does not depend on it.
//
// Zone: a stamp without an offset is wall time in loc (time.Local when
// nil). A wall time that a DST change skips is read with the offset in
// force before the change (02:30 in a spring-forward gap becomes 03:30
// summer time). One that occurs twice (the repeated hour in autumn) is
// the first occurrence, unless that is more than 10 minutes before last,
// the previous line's stamp; then it is the next occurrence that is not
// (or the last one). So a log running through the repeated hour keeps
// its order instead of jumping back an hour. That is what last is for.
// time.Date is not used for this because its choice differs between
// zones east and west of UTC (second occurrence in Paris, first in New
// York).
type clock struct {
	year int            // fixed year, or 0 to infer
	loc  *time.Location // zone of stamps that carry none
	ref  time.Time      // reference for inference: file mtime or now
	last time.Time      // previous line's stamp, to order the repeated autumn hour
	// guessed: a wall time with two readings was read without a last
	// (see startBlock).
	guessed bool

	// The previous zone-less stamp's bytes up to the seconds and their
	// instant: consecutive lines mostly share the second, so most lines
	// cost one compare. Valid while year and loc are unchanged.
	key     [19]byte
	keyLen  int
	keyTime time.Time
	keyYear int
	keyLoc  *time.Location

	// The zone period (same offset) of the last instant converted from
	// wall time, shrunk by zoneMargin at both ends: a wall time whose
	// instant lands inside has no other reading, so it needs no lookup.
	zoneLoc        *time.Location
	zoneOff        int64
	zoneLo, zoneHi int64

	// ref's year in refLoc, for refT.
	refT    time.Time
	refLoc  *time.Location
	refYear int

	fixed     [4]fixedZone // locations for written offsets, reused
	fixedNext int

	host string // previous host, reused to avoid an allocation per line

	dayY, dayM, dayD int // date of dayN, days since 1970 (see wall)
	dayN             int64
}

type fixedZone struct {
	off int64
	loc *time.Location
}

const (
	// zoneMargin exceeds the largest difference of two UTC offsets
	// (-12:00 to +14:00), so no other period can claim the wall time.
	zoneMargin = 30 * 3600
	day        = 86400
	// disorder is how far a line's stamp may go back before the previous
	// line's and still be the first reading of a repeated hour: lines of
	// several processes interleave out of order by a few seconds, while
	// the second reading is back by the DST shift, 30 min or more.
	disorder   = 10 * 60
	maxHost    = 255 // longest DNS name; longer tokens are not hosts
	maxCompose = 128 // longest docker compose container name we accept
)

// Kinds of stamp, for what may follow it.
const (
	kindLocal  = iota // zone-less (syslog, dovecot): host rule
	kindZoned         // written offset (RFC 3339, short-iso): host rule
	kindDocker        // docker logs -t (Z, 9 digits): inner stamp or bare message
	kindTAI           // TAI64N from multilog or s6-log: never a host
)

// splitEnvelope recognises the line's prefix: a timestamp and, where the
// format has one, a host. msg is the rest of the line after the host (or
// after the timestamp when there is none) and the single space after it:
// it starts at the syslog tag or dovecot's own prefix ("dovecot[442]: ",
// "auth-worker(22401): Info: ") and is a suffix of line. ok is false
// when no known prefix matches; msg is then the whole line.
//
// After the stamp, the next space-separated token is the host unless it
// ends in ':' or contains one of "([<", which hostnames never do but
// tags do. docker logs -t and docker compose prefixes are stripped; the
// inner line's own stamp and host win over docker's, and a bare inner
// message gets docker's time and no host (no time with compose alone).
func (c *clock) splitEnvelope(line []byte) (env envelope, msg []byte, ok bool) {
	if msg, ok = c.split(&env, line, true, true); !ok {
		return envelope{}, line, false
	}
	if !env.time.IsZero() && env.time.Unix() != c.last.Unix() {
		c.last = env.time // only to the second: lines mostly repeat it
	}
	return env, msg, true
}

// startBlock makes the clock read a block of lines knowing of the lines
// before it only last (zero: nothing): a worker parsing a block ahead of
// its turn does not know them. guessed then tells whether that mattered.
func (c *clock) startBlock(last time.Time) {
	c.last, c.guessed = last, false
	c.keyLen = 0 // the cached instant was read with another last
}

// split parses b into env: a stamp, or a compose prefix if compose is
// set. docker allows a docker stamp, once. env is garbage when !ok.
func (c *clock) split(env *envelope, b []byte, compose, docker bool) ([]byte, bool) {
	t, frac, n, kind, ok := c.stamp(b)
	if !ok {
		if compose {
			if p := composePrefix(b); p > 0 {
				inner := b[p:]
				if msg, ok := c.split(env, inner, false, docker); ok {
					return msg, true
				}
				// docker compose logs without -t: no time at all.
				if len(inner) > 0 && inner[0] != ' ' {
					*env = envelope{}
					return inner, true
				}
			}
		}
		return nil, false
	}
	if n >= len(b) || b[n] != ' ' {
		return nil, false
	}
	rest := b[n+1:]
	if len(rest) == 0 || rest[0] == ' ' {
		return nil, false
	}
	env.time, env.fracDigits, env.host = t, frac, ""
	switch kind {
	case kindTAI:
		return rest, true
	case kindDocker:
		if !docker {
			return nil, false
		}
		if msg, ok := c.split(env, rest, false, false); ok {
			return msg, true
		}
		env.time, env.fracDigits, env.host = t, frac, ""
		return rest, true
	}
	// The host rule. A scan stops at the first bracket, so a long
	// attacker-chosen username costs nothing.
	i := 0
	for i < len(rest) && rest[i] != ' ' {
		switch rest[i] {
		case '(', '[', '<':
			return rest, true
		}
		i++
	}
	if rest[i-1] == ':' {
		return rest, true
	}
	if i > maxHost {
		return nil, false
	}
	if string(rest[:i]) != c.host {
		c.host = string(rest[:i])
	}
	env.host = c.host
	if i < len(rest) {
		i++ // the space
	}
	return rest[i:], true
}

// composePrefix returns the length of a docker compose prefix
// ("mailserver-1  | ") at the start of b, or 0.
func composePrefix(b []byte) int {
	i := 0
	for i < len(b) && i <= maxCompose && isNameByte(b[i], i == 0) {
		i++
	}
	if i == 0 || i > maxCompose {
		return 0
	}
	j := i
	for j < len(b) && b[j] == ' ' {
		j++
	}
	if j == i || j+1 >= len(b) || b[j] != '|' || b[j+1] != ' ' {
		return 0
	}
	return j + 2
}

func isNameByte(ch byte, first bool) bool {
	switch {
	case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		return true
	case ch == '-', ch == '_', ch == '.':
		return !first
	}
	return false
}

// stamp parses the timestamp at the start of b; n is its length.
func (c *clock) stamp(b []byte) (t time.Time, frac, n, kind int, ok bool) {
	if k := c.keyLen; k > 0 && len(b) > k && string(b[:k]) == string(c.key[:k]) &&
		c.year == c.keyYear && c.loc == c.keyLoc {
		ns, digits, m, ok := fraction(b[k:])
		if ok && k+m < len(b) && b[k+m] == ' ' {
			return c.keyTime.Add(time.Duration(ns)), digits, k + m, kindLocal, true
		}
	}
	if len(b) == 0 {
		return
	}
	switch ch := b[0]; {
	case 'A' <= ch && ch <= 'Z':
		return c.syslogStamp(b)
	case '0' <= ch && ch <= '9':
		return c.isoStamp(b)
	case ch == '@':
		return c.taiStamp(b)
	}
	return
}

// syslogStamp parses "Aug  2 18:06:02", "Jul 02 ...", "Aug 3 ..." with an
// optional fraction ("Nov 26 16:39:43.123456", journalctl short-precise).
func (c *clock) syslogStamp(b []byte) (t time.Time, frac, n, kind int, ok bool) {
	if len(b) < len("Aug 3 15:30:49") || b[3] != ' ' {
		return
	}
	mo := month(b[0], b[1], b[2])
	if mo == 0 {
		return
	}
	var d, i int
	switch {
	case b[4] == ' ' && isDigit(b[5]):
		d, i = int(b[5]-'0'), 6
	case isDigit(b[4]) && isDigit(b[5]):
		d, i = int(b[4]-'0')*10+int(b[5]-'0'), 6
	case isDigit(b[4]) && b[5] == ' ':
		d, i = int(b[4]-'0'), 5
	default:
		return
	}
	if d == 0 || d > daysIn(mo, 2000) || len(b) < i+9 || b[i] != ' ' {
		return
	}
	h, mi, s, ok := hms(b[i+1:])
	if !ok {
		return
	}
	i += 9
	ns, frac, m, ok := fraction(b[i:])
	if !ok {
		return
	}
	secs, ok := c.local(0, mo, d, h, mi, s)
	if !ok {
		return
	}
	c.remember(b[:i], secs)
	return c.keyTime.Add(time.Duration(ns)), frac, i + m, kindLocal, true
}

// isoStamp parses "2026-11-26T16:39:43.123456+01:00" (RFC 3339, 0-9
// fraction digits, Z or ±hh:mm), journalctl's short-iso "+0200", and
// dovecot's zone-less "2013-08-11 03:56:40[.123456]".
func (c *clock) isoStamp(b []byte) (t time.Time, frac, n, kind int, ok bool) {
	if len(b) < len("2006-01-02T15:04:05") {
		return
	}
	y, ok1 := digits4(b)
	mo, ok2 := digits2(b[5:])
	d, ok3 := digits2(b[8:])
	if !ok1 || !ok2 || !ok3 || y == 0 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') {
		return
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
		return
	}
	h, mi, s, ok := hms(b[11:])
	if !ok {
		return
	}
	i := 19
	sep := byte('.')
	if b[10] == ' ' && i < len(b) && b[i] == ',' {
		sep = ','
	}
	ns, frac, m, ok := fractionSep(b[i:], sep)
	if !ok {
		return
	}
	i += m
	if i < len(b) && b[i] != ' ' {
		var off int64
		switch b[i] {
		case 'Z':
			i++
			kind = kindZoned
			if frac == 9 && b[10] == 'T' {
				kind = kindDocker
			}
		case '+', '-':
			oh, okh := digits2(b[i+1:])
			if !okh || oh > 23 {
				return
			}
			j := i + 3
			if j < len(b) && b[j] == ':' {
				j++
			}
			om, okm := digits2(b[j:])
			if !okm || om > 59 {
				return
			}
			off = int64(oh*3600 + om*60)
			if b[i] == '-' {
				off = -off
			}
			i = j + 2
			kind = kindZoned
		default:
			return
		}
		u := c.wall(y, mo, d, h, mi, s) - off
		return time.Unix(u, int64(ns)).In(c.fixedLoc(off)), frac, i, kind, true
	}
	secs, ok := c.local(y, mo, d, h, mi, s)
	if !ok {
		return
	}
	c.remember(b[:19], secs)
	return c.keyTime.Add(time.Duration(ns)), frac, i, kindLocal, true
}

// taiStamp parses "@400000004c91b044077a9e94": a TAI64 label and
// nanoseconds in hex. Unix time is label - 2^62 - 10, as tai64nlocal
// computes it (ignoring leap seconds after 1972). fracDigits is 6, not
// 9: daemontools and s6 take the clock from gettimeofday, so the
// nanoseconds are microseconds (plus 500 in daemontools' taia_now); the
// time is truncated to the microsecond to match what is printed.
func (c *clock) taiStamp(b []byte) (t time.Time, frac, n, kind int, ok bool) {
	const base = 1 << 62
	if len(b) < 25 {
		return
	}
	label, ok1 := hex(b[1:17])
	nano, ok2 := hex(b[17:25])
	// From 1970 to a day before the end of 9999, so that the year in
	// any zone has the four digits RFC 3339 allows.
	const end = 253402300800 - day
	if !ok1 || !ok2 || nano >= 1e9 || label < base+10 || label >= base+10+end {
		return
	}
	secs := int64(label - base - 10)
	return time.Unix(secs, int64(nano/1000*1000)).In(c.location()), 6, 25, kindTAI, true
}

// remember caches a zone-less stamp's bytes (up to the seconds) and
// instant for the next line.
func (c *clock) remember(key []byte, secs int64) {
	c.keyLen = copy(c.key[:], key)
	c.keyTime = time.Unix(secs, 0).In(c.location())
	c.keyYear, c.keyLoc = c.year, c.loc
}

func (c *clock) location() *time.Location {
	if c.loc == nil {
		return time.Local
	}
	return c.loc
}

func (c *clock) fixedLoc(off int64) *time.Location {
	if off == 0 {
		return time.UTC
	}
	for _, z := range c.fixed {
		if z.loc != nil && z.off == off {
			return z.loc
		}
	}
	loc := time.FixedZone("", int(off))
	c.fixed[c.fixedNext] = fixedZone{off, loc}
	c.fixedNext = (c.fixedNext + 1) % len(c.fixed)
	return loc
}

// local returns the Unix seconds of a wall time in c's location, with
// the year inferred when y is 0 (see clock). ok is false for Feb 29 of
// a fixed non-leap year.
func (c *clock) local(y, mo, d, h, mi, s int) (int64, bool) {
	loc := c.location()
	if y != 0 {
		return c.resolve(c.wall(y, mo, d, h, mi, s), loc), true
	}
	feb29 := mo == 2 && d == 29
	if c.year != 0 {
		if feb29 && !isLeap(c.year) {
			return 0, false
		}
		return c.resolve(c.wall(c.year, mo, d, h, mi, s), loc), true
	}
	if c.ref.IsZero() {
		c.ref = time.Now() // the caller forgot; the present is the best guess
	}
	if c.ref != c.refT || loc != c.refLoc {
		c.refT, c.refLoc, c.refYear = c.ref, loc, c.ref.In(loc).Year()
	}
	y = c.refYear
	for feb29 && !isLeap(y) {
		y--
	}
	u := c.resolve(c.wall(y, mo, d, h, mi, s), loc)
	if u > c.ref.Unix()+day {
		y--
		for feb29 && !isLeap(y) {
			y--
		}
		u = c.resolve(c.wall(y, mo, d, h, mi, s), loc)
	}
	return u, true
}

// resolve maps wall-clock seconds (as if in UTC) to Unix seconds in loc.
func (c *clock) resolve(w int64, loc *time.Location) int64 {
	if loc == c.zoneLoc {
		if u := w - c.zoneOff; c.zoneLo <= u && u < c.zoneHi {
			return u
		}
	}
	// Walk the zone periods that can hold w's instant: offsets lie
	// within ±14 h, so no instant is further than that from w.
	var found [4]int64
	nfound := 0
	var before int64
	haveBefore := false
	a := w - zoneMargin
	for range 8 {
		t := time.Unix(a, 0).In(loc)
		_, off := t.Zone()
		start, end := t.ZoneBounds()
		u := w - int64(off)
		switch {
		case !end.IsZero() && u >= end.Unix():
			before, haveBefore = int64(off), true
		case !start.IsZero() && u < start.Unix():
		default:
			if nfound < len(found) {
				found[nfound] = u
				nfound++
			}
		}
		if end.IsZero() || end.Unix() > w+zoneMargin {
			break
		}
		a = end.Unix()
	}
	var u int64
	switch {
	case nfound > 0:
		// Periods were walked in order, so found is sorted. Take the
		// first reading that does not go back before the previous line
		// by more than syslog's usual disorder, or else the last.
		u = found[0]
		if c.last.IsZero() && nfound > 1 {
			c.guessed = true
		}
		if !c.last.IsZero() {
			floor := c.last.Unix() - disorder
			for _, v := range found[:nfound] {
				if u = v; v >= floor {
					break
				}
			}
		}
	case haveBefore:
		u = w - before // in a gap: the offset before the change
	default:
		u = w // unreachable with tzdata; stay total
	}
	t := time.Unix(u, 0).In(loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	c.zoneLoc, c.zoneOff = loc, int64(off)
	c.zoneLo, c.zoneHi = minInt64, maxInt64
	if !start.IsZero() {
		c.zoneLo = start.Unix() + zoneMargin
	}
	if !end.IsZero() {
		c.zoneHi = end.Unix() - zoneMargin
	}
	return u
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)

// wall returns the seconds from 1970 to the wall time, as if it were
// UTC. s may be 60 (a leap second), which lands on the next minute.
// The day number of the previous call is kept: lines come day by day.
func (c *clock) wall(y, mo, d, h, mi, s int) int64 {
	if y != c.dayY || mo != c.dayM || d != c.dayD {
		c.dayY, c.dayM, c.dayD, c.dayN = y, mo, d, daysFromCivil(y, mo, d)
	}
	return c.dayN*day + int64(h*3600+mi*60+s)
}

// daysFromCivil counts days from 1970-01-01 in the proleptic Gregorian
// calendar, with years starting in March so Feb 29 falls last.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(int64(y), 400)
	yoe := int64(y) - era*400                  // [0, 399]
	doy := int64((153*((m+9)%12)+2)/5 + d - 1) // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy     // [0, 146096]
	return era*146097 + doe - 719468
}

// civilFromDays inverts daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m, y int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// month maps "Jan".."Dec" to 1..12, else 0.
func month(a, b, c byte) int {
	switch uint32(a)<<16 | uint32(b)<<8 | uint32(c) {
	case 'J'<<16 | 'a'<<8 | 'n':
		return 1
	case 'F'<<16 | 'e'<<8 | 'b':
		return 2
	case 'M'<<16 | 'a'<<8 | 'r':
		return 3
	case 'A'<<16 | 'p'<<8 | 'r':
		return 4
	case 'M'<<16 | 'a'<<8 | 'y':
		return 5
	case 'J'<<16 | 'u'<<8 | 'n':
		return 6
	case 'J'<<16 | 'u'<<8 | 'l':
		return 7
	case 'A'<<16 | 'u'<<8 | 'g':
		return 8
	case 'S'<<16 | 'e'<<8 | 'p':
		return 9
	case 'O'<<16 | 'c'<<8 | 't':
		return 10
	case 'N'<<16 | 'o'<<8 | 'v':
		return 11
	case 'D'<<16 | 'e'<<8 | 'c':
		return 12
	}
	return 0
}

func isDigit(ch byte) bool { return ch-'0' < 10 }

func digits2(b []byte) (int, bool) {
	if len(b) < 2 || !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func digits4(b []byte) (int, bool) {
	hi, ok1 := digits2(b)
	lo, ok2 := digits2(b[2:])
	return hi*100 + lo, ok1 && ok2
}

// hms parses "hh:mm:ss"; ss may be 60, a leap second.
func hms(b []byte) (h, m, s int, ok bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return
	}
	h, ok1 := digits2(b)
	m, ok2 := digits2(b[3:])
	s, ok3 := digits2(b[6:])
	return h, m, s, ok1 && ok2 && ok3 && h < 24 && m < 60 && s <= 60
}

// fraction parses an optional ".ddd" of 1 to 9 digits into nanoseconds.
func fraction(b []byte) (ns, digits, n int, ok bool) {
	return fractionSep(b, '.')
}

// fractionSep reads a fraction after sep: Python's logging (fail2ban's own
// log) writes "2026-11-25 10:24:51,123".
func fractionSep(b []byte, sep byte) (ns, digits, n int, ok bool) {
	if len(b) == 0 || b[0] != sep {
		return 0, 0, 0, true
	}
	n = 1
	for n < len(b) && isDigit(b[n]) {
		if n > 9 {
			return 0, 0, 0, false
		}
		ns = ns*10 + int(b[n]-'0')
		n++
	}
	digits = n - 1
	if digits == 0 {
		return 0, 0, 0, false
	}
	for i := digits; i < 9; i++ {
		ns *= 10
	}
	return ns, digits, n, true
}

func hex(b []byte) (uint64, bool) {
	var v uint64
	for _, ch := range b {
		switch {
		case '0' <= ch && ch <= '9':
			ch -= '0'
		case 'a' <= ch && ch <= 'f':
			ch -= 'a' - 10
		case 'A' <= ch && ch <= 'F':
			ch -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(ch)
	}
	return v, true
}

// appendTime appends t as RFC 3339 with exactly fracDigits digits of
// fraction (truncated; none for 0) and always a numeric offset, "+00:00"
// for UTC too, so that sort and jq see one shape in every record.
func appendTime(dst []byte, t time.Time, fracDigits int) []byte {
	fracDigits = min(max(fracDigits, 0), 9)
	_, off := t.Zone()
	secs := t.Unix() + int64(off)
	days := floorDiv(secs, day)
	y, mo, d := civilFromDays(days)
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, isoLayouts[fracDigits]) // not RFC 3339 anyway
	}
	rem := int(secs - days*day)
	dst = append(dst,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+rem/36000), byte('0'+rem/3600%10), ':',
		byte('0'+rem/600%6), byte('0'+rem/60%10), ':',
		byte('0'+rem%60/10), byte('0'+rem%10))
	if fracDigits > 0 {
		dst = append(dst, '.')
		ns := t.Nanosecond()
		for div := 100000000; fracDigits > 0; fracDigits-- {
			dst = append(dst, byte('0'+ns/div%10))
			div /= 10
		}
	}
	sign := byte('+')
	zone := off / 60 // whole minutes; RFC 3339 has no seconds of offset
	if zone < 0 {
		sign, zone = '-', -zone
	}
	return append(dst, sign, byte('0'+zone/600), byte('0'+zone/60%10), ':',
		byte('0'+zone%60/10), byte('0'+zone%10))
}

var isoLayouts = [10]string{
	"2006-01-02T15:04:05-07:00",
	"2006-01-02T15:04:05.0-07:00",
	"2006-01-02T15:04:05.00-07:00",
	"2006-01-02T15:04:05.000-07:00",
	"2006-01-02T15:04:05.0000-07:00",
	"2006-01-02T15:04:05.00000-07:00",
	"2006-01-02T15:04:05.000000-07:00",
	"2006-01-02T15:04:05.0000000-07:00",
	"2006-01-02T15:04:05.00000000-07:00",
	"2006-01-02T15:04:05.000000000-07:00",
}
