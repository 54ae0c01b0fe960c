package report

import (
	"slices"

	"github.com/mailcop/mailcop/internal/watch"
)

// addWatchAlarms lists the watch's alarms for logins of the period that
// the summary's judging (the same rules, on the period's records alone)
// did not list already: those raised on what the report cannot know, the
// account's history of logins and the failures before the period. They
// join the possible compromises with the watch's reasons. -state-dir names the
// watch's state, read as it is (the watch may be running: it replaces
// the file by rename, so what is read is whole).
func (s *stats) addWatchAlarms(dir string, warn func(error)) error {
	if !s.haveTime {
		return nil
	}
	eng := watch.New(watch.Defaults())
	if _, _, err := eng.Load(dir, warn); err != nil {
		return err
	}
	for _, a := range eng.Alarms(s.first, s.last) {
		if slices.ContainsFunc(s.listed, func(l login) bool {
			return l.alarm && l.user == a.User && l.ip == a.IP && l.time.Equal(a.Time)
		}) {
			continue
		}
		l := login{time: a.Time, user: a.User, ip: a.IP, country: clip(a.Country, 50), service: a.Service,
			alarm: true, reasons: a.Why}
		s.nHigh++
		if len(s.listed) < maxListed {
			s.listed = append(s.listed, l)
		} else {
			s.dropped++
		}
	}
	slices.SortStableFunc(s.listed, func(x, y login) int { return x.time.Compare(y.time) })
	return nil
}
