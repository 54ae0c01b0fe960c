package watch

import (
	"time"
)

// The alarm journal remembers, per account and address, the log time of
// the last alarm: the same pair does not alarm twice within the quiet
// period, and a login read again after a restart (mailcop-tail -state
// saves its position every 2 seconds) does not alarm again.
type journal struct {
	m   map[string]time.Time
	max int
}

const journalKeep = 30 * 24 * time.Hour

func journalKey(user, ip string) string { return user + "\x00" + ip }

// Quiet reports whether an alarm for user and ip at time at is to be
// kept quiet: one was raised for them at a log time no earlier than
// quiet before it (the very same login read again included).
func (e *Engine) Quiet(user, ip string, at time.Time, quiet time.Duration) bool {
	last, ok := e.journal.m[journalKey(user, ip)]
	return ok && !last.Before(at.Add(-quiet))
}

// NoteAlarm records an alarm raised for user and ip at log time at.
func (e *Engine) NoteAlarm(user, ip string, at time.Time) {
	j := &e.journal
	k := journalKey(user, ip)
	if _, ok := j.m[k]; !ok && len(j.m) >= j.max {
		j.expire(at.Add(-journalKeep))
		if len(j.m) >= j.max {
			j.forgetOldest()
		}
	}
	if last, ok := j.m[k]; !ok || at.After(last) {
		j.m[k] = at
	}
}

func (j *journal) expire(cutoff time.Time) {
	for k, t := range j.m {
		if t.Before(cutoff) {
			delete(j.m, k)
		}
	}
}

func (j *journal) forgetOldest() {
	var oldest string
	var at time.Time
	for k, t := range j.m {
		if oldest == "" || t.Before(at) {
			oldest, at = k, t
		}
	}
	delete(j.m, oldest)
}
