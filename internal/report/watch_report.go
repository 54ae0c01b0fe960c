package report

import (
	"slices"

	"github.com/mailcop/mailcop/internal/watch"
)

// classWatch is a login the watch (-alert) raised an alarm for, on what
// the report alone cannot know: the account's history of logins, the
// failures before the period. The summary lists it among the possible
// compromises with the watch's reasons.
const classWatch class = 100

// addWatchAlarms lists the watch's alarms for logins of the period that
// the report's own rules did not list already. -state-dir names the
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
			return l.class.high() && l.user == a.User && l.ip == a.IP && l.time.Equal(a.Time)
		}) {
			continue
		}
		l := login{time: a.Time, user: a.User, ip: a.IP, country: clip(a.Country, 50), service: a.Service,
			class: classWatch, reasons: a.Why}
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
