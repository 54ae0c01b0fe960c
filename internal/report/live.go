package report

import (
	"bufio"
	"strings"

	"github.com/mailcop/mailcop/internal/record"
)

// The live view prints a line per record as it arrives, as the old
// `mailcop -f` did, with the country:
//
//	Nov 25 09:38:02 bob@example.com                     198.51.100.23    NL, Netherlands
//
// The account takes 35 cells and the address 16, as there; a longer value
// pushes only its own line. A summary of several attempts ends in "x3".
// Logins worth a look are alert lines: "!!" for a possible compromise,
// "!" for a slip of the owner's or a login to an account under attack.

const (
	liveTime    = "Jan _2 15:04:05"
	liveUserW   = 35
	liveIPW     = 16
	colourReset = "\x1b[0m"
)

type live struct {
	w      *bufio.Writer
	s      *stats
	m      *msgs
	colour bool
	all    bool // -match: every matching login, not only the alarming ones
}

// add takes a record into account, and prints it when show.
func (l *live) add(r *record.Record, show bool) error {
	lg, isLogin := l.s.add(r)
	if !show {
		return nil
	}
	switch {
	case r.Event == "auth" && r.Outcome == "failure":
		n := int64(1)
		if r.Attempts > 1 {
			n = int64(r.Attempts)
		}
		line := l.prefix(r)
		if n > 1 {
			line += "  x" + num(n)
		}
		return l.print(line, "")
	case isLogin && (lg.class != classNone || l.all):
		line := l.prefix(r) + "  "
		colour := "\x1b[32m" // a login -match asked for
		switch {
		case lg.class.high():
			line += "!! "
			colour = "\x1b[1;31m"
		case lg.class != classNone:
			line += "! "
			colour = "\x1b[33m"
		}
		line += l.m.login
		if r.Service != "" {
			line += " " + clip(r.Service, 16)
		}
		if lg.class != classNone {
			line += l.m.colon + lg.why(l.m)
		}
		return l.print(line, colour)
	case r.Event == "ban" && r.IP != "":
		line := l.prefix(r) + "  " + l.m.banned
		if jail, ok := r.Get("jail"); ok {
			line += " [" + clip(jail, 32) + "]"
		}
		return l.print(line, "\x1b[36m")
	}
	return nil
}

// prefix is the old view's line: time, account, address, country.
func (l *live) prefix(r *record.Record) string {
	t := "               "
	if l.s.tok {
		t = l.s.tval.In(l.s.loc).Format(liveTime)
	}
	user := dash(clip(r.User, clipWide))
	return strings.TrimRight(t+" "+pad(user, liveUserW, false)+" "+pad(dash(clip(r.IP, clipNarrow)), liveIPW, false)+
		" "+countryLabel(r), " ")
}

func (l *live) print(line, colour string) error {
	if l.colour && colour != "" {
		line = colour + line + colourReset
	}
	_, err := l.w.WriteString(line + "\n")
	return err
}
