package watch

import (
	"cmp"
	"slices"
	"time"
)

// The alarm journal remembers, per account and address, the log time of
// the last alarm: the same pair does not alarm twice within the quiet
// period, and a login read again after a restart (mailcop-tail -state
// saves its position every 2 seconds) does not alarm again.
type journal struct {
	m   map[string]Alarm
	max int
}

// Alarm is an entry of the journal: an alarm raised, with the class and
// the reasons it was raised for (as the alarm said them), for the daily
// report to list.
type Alarm struct {
	User    string
	IP      string
	Time    time.Time
	Country string // as the report shows it: "VN, Vietnam"
	Service string
	Class   string
	Why     string
}

const journalKeep = 30 * 24 * time.Hour

func journalKey(user, ip string) string { return user + "\x00" + ip }

// Quiet reports whether an alarm for user and ip at time at is to be
// kept quiet: one was raised for them at a log time no earlier than
// quiet before it (the very same login read again included).
func (e *Engine) Quiet(user, ip string, at time.Time, quiet time.Duration) bool {
	last, ok := e.journal.m[journalKey(user, ip)]
	return ok && !last.Time.Before(at.Add(-quiet))
}

// Judge takes an event in (Add) and reports whether it is an alarm to
// raise: a login worth one, not kept quiet by an alarm for the same
// account and address within quiet. It is -alert's decision, which the
// false-alarm measurement (package sim) makes the same way; the caller
// notes each alarm it raises (NoteAlarm).
func (e *Engine) Judge(ev *Event, quiet time.Duration) (v Verdict, alarm bool) {
	v, login := e.Add(ev)
	return v, login && v.Alarm() && !e.Quiet(ev.User, ev.IP, ev.Time, quiet)
}

// NoteAlarm records an alarm raised for a.User and a.IP at log time
// a.Time.
func (e *Engine) NoteAlarm(a Alarm) {
	j := &e.journal
	k := journalKey(a.User, a.IP)
	if _, ok := j.m[k]; !ok && len(j.m) >= j.max {
		j.expire(a.Time.Add(-journalKeep))
		if len(j.m) >= j.max {
			j.forgetOldest()
		}
	}
	if last, ok := j.m[k]; !ok || a.Time.After(last.Time) {
		j.m[k] = a
	}
}

// Alarms returns the alarms of the journal raised for logins between
// from and to, inclusive, in time order.
func (e *Engine) Alarms(from, to time.Time) []Alarm {
	var list []Alarm
	for _, a := range e.journal.m {
		if !a.Time.Before(from) && !a.Time.After(to) {
			list = append(list, a)
		}
	}
	slices.SortFunc(list, func(x, y Alarm) int {
		return cmp.Or(x.Time.Compare(y.Time), cmp.Compare(x.User, y.User), cmp.Compare(x.IP, y.IP))
	})
	return list
}

func (j *journal) expire(cutoff time.Time) {
	for k, a := range j.m {
		if a.Time.Before(cutoff) {
			delete(j.m, k)
		}
	}
}

func (j *journal) forgetOldest() {
	var oldest string
	var at time.Time
	for k, a := range j.m {
		if oldest == "" || a.Time.Before(at) {
			oldest, at = k, a.Time
		}
	}
	delete(j.m, oldest)
}
