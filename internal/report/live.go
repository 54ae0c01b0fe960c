package report

import (
	"bufio"
	"slices"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/watch"
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
// They are judged by package watch, as -alert judges them, on the
// failures of the last days and the logins seen before: its tables are
// bounded, so a view left running for weeks under millions of addresses
// stays in its budget.

const (
	liveTime    = "Jan _2 15:04:05"
	liveUserW   = 35
	liveIPW     = 16
	colourReset = "\x1b[0m"
)

type live struct {
	w      *bufio.Writer
	eng    *watch.Engine
	loc    *time.Location
	m      *msgs
	colour bool
	all    bool // -match: every matching login, not only the alarming ones

	tstr string // the last time string parsed, and its value
	tval time.Time
	tok  bool
}

// targetQuiet: a login from a clean address to an account under attack
// is news once a day per address and account: its owner's phone logs in
// all day.
const targetQuiet = 24 * time.Hour

// add takes a record into account, and prints it when show.
func (l *live) add(r *record.Record, show bool) error {
	if r.Time != l.tstr {
		l.tstr = strings.Clone(r.Time)
		var err error
		l.tval, err = time.Parse(time.RFC3339Nano, r.Time)
		l.tok = err == nil
	}
	var v watch.Verdict
	isLogin := false
	if ev, ok := eventOf(r); ok {
		if !l.tok {
			ev.Time = l.eng.Now() // no time: judged as of the last one
		}
		v, isLogin = l.eng.Add(&ev)
		if isLogin && slices.Contains(v.Classes, watch.Target) {
			if l.eng.Quiet(ev.User, ev.IP, ev.Time, targetQuiet) {
				v.Classes = slices.DeleteFunc(v.Classes, func(c watch.Class) bool { return c == watch.Target })
			} else {
				l.eng.NoteAlarm(watch.Alarm{User: ev.User, IP: ev.IP, Time: ev.Time})
			}
		}
	}
	if !show {
		return nil
	}
	switch {
	case r.Event == record.EventAuth && r.Outcome == record.OutcomeFailure:
		n := int64(1)
		if r.Attempts > 1 {
			n = int64(r.Attempts)
		}
		line := l.prefix(r)
		if n > 1 {
			line += "  x" + num(n)
		}
		return l.print(line, "")
	case isLogin && (v.Class() != watch.None || l.all):
		line := l.prefix(r) + "  "
		colour := "\x1b[32m" // a login -match asked for
		switch {
		case v.Alarm():
			line += "!! "
			colour = "\x1b[1;31m"
		case v.Class() != watch.None:
			line += "! "
			colour = "\x1b[33m"
		}
		line += l.m.login
		if r.Service != "" {
			line += " " + clip(r.Service, 16)
		}
		if v.Class() != watch.None {
			line += l.m.colon + safe(verdictWhy(l.m, &v))
		}
		return l.print(line, colour)
	case r.Event == record.EventBan && r.IP != "":
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
	if l.tok {
		t = l.tval.In(l.loc).Format(liveTime)
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
