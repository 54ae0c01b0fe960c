package watch

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type feed struct {
	t *testing.T
	e *Engine
}

func newFeed(t *testing.T) *feed { return &feed{t: t, e: New(Defaults())} }

func (f *feed) fail(at time.Duration, user, ip string, n int, pw string) {
	f.e.Add(&Event{Time: t0.Add(at), User: user, IP: ip, Country: "CN", ASN: 4134, Attempts: n, PwHash: pw})
}

func (f *feed) login(at time.Duration, user, ip, country string, asn int) Verdict {
	f.t.Helper()
	v, ok := f.e.Add(&Event{Time: t0.Add(at), Success: true, User: user, IP: ip, Country: country, ASN: asn, Service: "imap"})
	if !ok {
		f.t.Fatal("a login was not judged")
	}
	return v
}

// history gives user n logins from country over the days before at.
func (f *feed) history(at time.Duration, user, ip, country string, asn, n int, days int) {
	for i := range n {
		back := time.Duration(days*24) * time.Hour * time.Duration(n-i) / time.Duration(n)
		f.login(at-back, user, ip, country, asn)
	}
}

func classes(v Verdict) []string {
	var s []string
	for _, c := range v.Classes {
		s = append(s, c.String())
	}
	return s
}

func want(t *testing.T, v Verdict, alarm bool, cs ...string) {
	t.Helper()
	if got := classes(v); !slices.Equal(got, cs) || v.Alarm() != alarm {
		t.Errorf("classes %q alarm %v, want %q alarm %v", got, v.Alarm(), cs, alarm)
	}
}

func TestFailureClasses(t *testing.T) {
	day := 24 * time.Hour
	t.Run("brute force then login", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "bob", "203.0.113.9", 5, "")
		f.fail(time.Minute, "bob", "203.0.113.9", 5, "")
		v := f.login(2*time.Minute, "bob", "203.0.113.9", "CN", 4134)
		want(t, v, true, "brute")
		if v.Attempts != 10 {
			t.Errorf("attempts %d, want 10", v.Attempts)
		}
	})
	t.Run("a list of accounts, then this one worked", func(t *testing.T) {
		f := newFeed(t)
		for i := range 5 {
			f.fail(time.Duration(i)*time.Second, fmt.Sprintf("user%d", i), "198.51.100.7", 1, "")
		}
		v := f.login(time.Minute, "carol", "198.51.100.7", "RU", 0)
		want(t, v, true, "spray")
		if v.Accounts != 5 {
			t.Errorf("other accounts %d, want 5", v.Accounts)
		}
	})
	t.Run("a fresh address of a network that attacked", func(t *testing.T) {
		f := newFeed(t)
		for i := range 4 {
			f.fail(time.Duration(i)*time.Second, fmt.Sprintf("user%d", i), fmt.Sprintf("198.51.100.%d", 10+i), 1, "")
		}
		v := f.login(time.Minute, "carol", "198.51.100.200", "RU", 0)
		want(t, v, true, "network")
		if v.Net != "198.51.100.0/24" {
			t.Errorf("net %q", v.Net)
		}
	})
	t.Run("an IPv6 attacker rotating in its /64", func(t *testing.T) {
		f := newFeed(t)
		for i := range 20 {
			f.fail(time.Duration(i)*time.Second, "dave", fmt.Sprintf("2001:db8:7:9::%x", 0x100+i), 1, "")
		}
		want(t, f.login(time.Minute, "dave", "2001:db8:7:9:ffff::1", "NL", 0), true, "brute")
	})
	t.Run("one old password from a phone", func(t *testing.T) {
		f := newFeed(t)
		for i := range 6 {
			f.fail(time.Duration(i)*time.Minute, "erin", "192.0.2.44", 1, "f638ff")
		}
		want(t, f.login(time.Hour, "erin", "192.0.2.44", "FR", 0), false, "stale")
	})
	t.Run("six different passwords are a guesser", func(t *testing.T) {
		f := newFeed(t)
		for i := range 6 {
			f.fail(time.Duration(i)*time.Minute, "erin", "192.0.2.44", 1, fmt.Sprintf("a%05x", i))
		}
		v := f.login(time.Hour, "erin", "192.0.2.44", "FR", 0)
		want(t, v, true, "brute")
		if v.Guesses != 6 {
			t.Errorf("guesses %d, want 6", v.Guesses)
		}
	})
	t.Run("a typo", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "frank", "192.0.2.50", 1, "")
		want(t, f.login(time.Minute, "frank", "192.0.2.50", "FR", 0), false, "typo")
	})
	t.Run("the AS attacking the account", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "gina", "203.0.113.1", 3, "")
		want(t, f.login(time.Minute, "gina", "192.0.2.99", "CN", 4134), true, "as")
	})
	t.Run("failures older than a week are forgotten", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "bob", "203.0.113.9", 10, "")
		f.login(8*day, "zed", "192.0.2.1", "FR", 0) // time moves on
		want(t, f.login(8*day+time.Hour, "bob", "203.0.113.9", "CN", 4134), false)
	})
}

func TestHistoryClasses(t *testing.T) {
	day := 24 * time.Hour
	at := 30 * day
	t.Run("a new account is not suspicious", func(t *testing.T) {
		f := newFeed(t)
		want(t, f.login(at, "new", "203.0.113.77", "BR", 28573), false)
		want(t, f.login(at+time.Hour, "new", "203.0.113.78", "BR", 28573), false)
	})
	t.Run("a first login from a new country, first try", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 20, 20)
		v := f.login(at, "bob", "203.0.113.40", "VN", 45899)
		want(t, v, true, "new_country")
		if !slices.Equal(v.Known, []string{"FR"}) || v.Logins != 20 {
			t.Errorf("known %q logins %d", v.Known, v.Logins)
		}
	})
	t.Run("too short a history says nothing", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 3, 2)
		want(t, f.login(at+12*time.Hour, "bob", "203.0.113.40", "VN", 45899), false)
	})
	t.Run("a traveller's second country", func(t *testing.T) {
		f := newFeed(t)
		f.history(at-5*day, "tom", "192.0.2.10", "FR", 3215, 20, 20)
		f.history(at, "tom", "198.51.100.10", "US", 7922, 5, 4)
		want(t, f.login(at+time.Hour, "tom", "192.0.2.10", "FR", 3215), false)
		want(t, f.login(at+20*time.Hour, "tom", "198.51.100.60", "US", 7922), false)
	})
	t.Run("across the border", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 20, 20)
		want(t, f.login(at+3*time.Hour, "bob", "203.0.113.40", "BE", 5432), false)
	})
	t.Run("faster than a plane", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "ann", "192.0.2.10", "FR", 3215, 3, 1)
		v := f.login(at+time.Hour, "ann", "203.0.113.40", "JP", 2516)
		want(t, v, true, "travel")
		if v.From != "FR" || v.Km < 9000 || v.Km > 10500 {
			t.Errorf("from %q km %d", v.From, v.Km)
		}
	})
	t.Run("a day later, Japan is a trip", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "ann", "192.0.2.10", "FR", 3215, 3, 1)
		want(t, f.login(at+24*time.Hour, "ann", "203.0.113.40", "JP", 2516), false)
	})
	t.Run("a new AS at home is noted, not alarmed", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 20, 20)
		want(t, f.login(at+time.Hour, "bob", "198.51.100.4", "FR", 51207), false, "new_as")
	})
	t.Run("a spray and a new country: both said", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 20, 20)
		for i := range 3 {
			f.fail(at-time.Duration(i)*time.Minute, fmt.Sprintf("u%d", i), "203.0.113.40", 1, "")
		}
		want(t, f.login(at+time.Minute, "bob", "203.0.113.40", "VN", 45899), true, "new_country", "spray")
	})
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := newFeed(t)
	f.history(30*24*time.Hour, "bob", "192.0.2.10", "FR", 3215, 20, 20)
	f.fail(30*24*time.Hour, "bob", "203.0.113.9", 5, "")
	f.fail(30*24*time.Hour, "amy", "2001:db8:7:9::1", 5, "")
	f.fail(30*24*time.Hour, "amy", "198.51.100.1", 1, "") // a typo's failure: not kept
	f.e.NoteAlarm(Alarm{User: "bob", IP: "203.0.113.9", Time: t0, Class: "brute", Why: "after 10 failed attempts"})
	if err := f.e.Save(dir, nil); err != nil {
		t.Fatal(err)
	}
	g := &feed{t: t, e: New(Defaults())}
	if _, ok, err := g.e.Load(dir, func(err error) { t.Error(err) }); err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	at := 30*24*time.Hour + time.Minute
	want(t, g.login(at, "bob", "203.0.113.9", "CN", 4134), true, "new_country", "brute")
	want(t, g.login(at, "amy", "2001:db8:7:9::abcd", "CN", 0), true, "brute")
	if !g.e.Quiet("bob", "203.0.113.9", t0, 0) || g.e.Quiet("bob", "203.0.113.9", t0.Add(time.Second), 0) {
		t.Error("the alarm journal did not survive the restart")
	}
	if got := g.e.Alarms(t0, t0); len(got) != 1 || got[0].Class != "brute" || got[0].Why != "after 10 failed attempts" {
		t.Errorf("alarms %+v", got)
	}
	if g.e.addrs.get(addrKey(mustAddr("198.51.100.1"))) != nil {
		t.Error("a single failure was saved")
	}
}

func mustAddr(s string) netip.Addr {
	v, _ := parseAddr(s)
	return v
}

func TestFailTableBounded(t *testing.T) {
	tb := newTable[fails](1000)
	for i := range 100_000 {
		addFailure(tb, key(i), int64(i), 1, 1, 0, true)
		if len(tb.m) > 1000 {
			t.Fatalf("%d entries after %d adds, want at most 1000", len(tb.m), i+1)
		}
	}
	if tb.get(key(99_999)) == nil {
		t.Error("the newest entry was forgotten")
	}
}

// postfix gives up on dovecot (temporary_failure) both when the auth
// service is down and when dovecot's penalty holds back an address that
// keeps failing: only the second is evidence.
func TestGiveUps(t *testing.T) {
	giveUp := func(f *feed, at time.Duration, user, ip string) {
		f.e.Add(&Event{Time: t0.Add(at), User: user, IP: ip, Country: "DE", ASN: 64500, GaveUp: true})
	}
	t.Run("outage alone", func(t *testing.T) {
		f := newFeed(t)
		for i := range 6 {
			giveUp(f, time.Duration(i)*10*time.Second, "carol", "2001:db8:bad:1::99")
		}
		want(t, f.login(2*time.Minute, "carol", "2001:db8:bad:1::99", "DE", 64500), false)
	})
	t.Run("penalty after a judged failure of the /64", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "carol", "2001:db8:bad:1::7", 1, "")
		for i := range 6 {
			giveUp(f, time.Duration(i+1)*10*time.Second, "carol", "2001:db8:bad:1::99")
		}
		v := f.login(2*time.Minute, "carol", "2001:db8:bad:1::99", "DE", 64500)
		want(t, v, true, "brute")
		if v.Attempts != 7 {
			t.Errorf("attempts %d, want 7", v.Attempts)
		}
	})
	t.Run("judged failure long before", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "dave", "198.51.100.7", 1, "")
		for i := range 6 {
			giveUp(f, time.Hour+time.Duration(i)*10*time.Second, "carol", "198.51.100.7")
		}
		v := f.login(time.Hour+2*time.Minute, "carol", "198.51.100.7", "DE", 64500)
		if v.Attempts > 1 {
			t.Errorf("attempts %d: give-ups long after the last judged failure counted", v.Attempts)
		}
	})
	t.Run("penalty survives a restart", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "carol", "203.0.113.9", 3, "")
		dir := t.TempDir()
		if err := f.e.Save(dir, nil); err != nil {
			t.Fatal(err)
		}
		e := New(Defaults())
		if _, _, err := e.Load(dir, func(err error) { t.Error(err) }); err != nil {
			t.Fatal(err)
		}
		f.e = e
		for i := range 3 {
			giveUp(f, time.Duration(i+1)*10*time.Second, "carol", "203.0.113.9")
		}
		v := f.login(time.Minute, "carol", "203.0.113.9", "DE", 64500)
		if v.Attempts != 6 {
			t.Errorf("attempts %d, want 6", v.Attempts)
		}
	})
}

// The rules that keep an owner's own networks quiet, which the
// generated weeks of package sim measure.
func TestOwnNetworks(t *testing.T) {
	day := 24 * time.Hour
	at := 30 * day
	t.Run("an office NAT gathering the colleagues' typos", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		for i := range 3 {
			f.fail(at-time.Duration(i)*time.Hour, fmt.Sprintf("colleague%d", i), "192.0.2.10", 1, "")
		}
		v := f.login(at, "bob", "192.0.2.10", "FR", 3215)
		want(t, v, false, "own_network")
		if v.Net != "192.0.2.0/24" || v.Accounts != 3 || !v.NetSince.Equal(t0.Add(at-20*day)) {
			t.Errorf("net %q accounts %d since %v", v.Net, v.Accounts, v.NetSince)
		}
		// A stranger's login from there is still a spray.
		want(t, f.login(at+time.Minute, "eve", "192.0.2.10", "FR", 3215), true, "spray")
	})
	t.Run("the owner's old password at home", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		f.fail(at, "bob", "192.0.2.10", 6, "")
		want(t, f.login(at+time.Hour, "bob", "192.0.2.10", "FR", 3215), false, "own_network")
	})
	t.Run("a guesser's many passwords at home are a brute force", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		for i := range 4 {
			f.fail(at, "bob", "192.0.2.10", 1, fmt.Sprintf("p%d", i))
		}
		want(t, f.login(at+time.Hour, "bob", "192.0.2.10", "FR", 3215), true, "brute")
	})
	t.Run("a network first used today is not yet the owner's", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		f.login(at-time.Hour, "bob", "198.51.100.3", "FR", 3215)
		for i := range 3 {
			f.fail(at, fmt.Sprintf("u%d", i), "198.51.100.3", 1, "")
		}
		want(t, f.login(at+time.Minute, "bob", "198.51.100.3", "FR", 3215), true, "spray")
	})
	t.Run("an alarmed office NAT becomes the owner's after a day", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		for i := range 3 {
			f.fail(at, fmt.Sprintf("u%d", i), "203.0.113.8", 1, "")
		}
		want(t, f.login(at+time.Minute, "bob", "203.0.113.8", "FR", 3215), true, "spray")
		f.login(at+2*time.Hour, "bob", "203.0.113.8", "FR", 3215)
		f.fail(at+day+time.Hour, "u9", "203.0.113.8", 1, "")
		want(t, f.login(at+day+2*time.Hour, "bob", "203.0.113.8", "FR", 3215), false, "own_network")
	})
	t.Run("an alarmed login does not make its country known", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 3215, 40, 20)
		for i := range 3 {
			f.fail(at, fmt.Sprintf("u%d", i), "203.0.113.40", 1, "")
		}
		want(t, f.login(at+time.Minute, "bob", "203.0.113.40", "VN", 45899), true, "travel", "spray")
		want(t, f.login(at+day, "bob", "198.51.100.40", "VN", 45899), true, "new_country")
	})
	t.Run("a CGNAT address a stuffer used two days before", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 51207, 40, 20)
		for i := range 5 {
			f.fail(at-2*day, fmt.Sprintf("u%d", i), "198.51.100.77", 1, "")
		}
		want(t, f.login(at, "bob", "198.51.100.77", "FR", 51207), false)
		for i := range 5 {
			f.fail(at+time.Hour, fmt.Sprintf("u%d", i), "198.51.100.78", 1, "")
		}
		want(t, f.login(at+2*time.Hour, "bob", "198.51.100.78", "FR", 51207), true, "spray")
	})
	t.Run("failures from the owner's carrier make no AS alarm", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "198.51.100.7", "FR", 51207, 40, 20)
		f.fail(at, "bob", "203.0.113.1", 5, "")
		want(t, f.login(at+time.Minute, "bob", "203.0.113.99", "FR", 51207), false, "target")
	})
	t.Run("one failure from an AS is a typo there", func(t *testing.T) {
		f := newFeed(t)
		f.fail(0, "gina", "203.0.113.1", 1, "")
		want(t, f.login(time.Minute, "gina", "192.0.2.99", "CN", 4134), false, "target")
	})
	t.Run("a carrier's /24 attacked by others, the carrier the owner's", func(t *testing.T) {
		f := newFeed(t)
		f.history(at, "bob", "192.0.2.10", "FR", 51207, 40, 20)
		for i := range 4 {
			f.fail(at, fmt.Sprintf("u%d", i), fmt.Sprintf("198.51.100.%d", 10+i), 1, "")
		}
		want(t, f.login(at+time.Minute, "bob", "198.51.100.200", "FR", 51207), false)
	})
}

// A phone on a carrier's CGNAT brings a new place at each connection:
// a full history must keep the places that tell the owner's habits.
func TestHistoryKeepsHabits(t *testing.T) {
	day := 24 * time.Hour
	f := newFeed(t)
	f.history(20*day, "bob", "192.0.2.10", "FR", 3215, 100, 20)
	f.history(30*day, "bob", "203.0.113.10", "JP", 2516, 30, 5)
	f.history(31*day, "bob", "192.0.2.10", "FR", 3215, 10, 1)
	f.login(31*day, "bob", "198.51.200.1", "FR", 51208) // the carrier's second AS, once
	for i := range 100 {                                // three days of CGNAT addresses
		f.login(31*day+time.Duration(i)*43*time.Minute, "bob", fmt.Sprintf("198.51.%d.1", i), "FR", 51207)
	}
	h := f.e.hist.get("bob")
	if len(h.Places) > Defaults().MaxPlaces {
		t.Fatalf("%d places", len(h.Places))
	}
	if got := h.countries(); !slices.Equal(got, []string{"FR", "JP"}) {
		t.Errorf("countries %q, want FR and JP", got)
	}
	for _, asn := range []int{3215, 2516, 51207, 51208} {
		if !h.hasAS(asn) {
			t.Errorf("AS%d forgotten", asn)
		}
	}
	if !f.e.hist.usedNet("bob", "192.0.2.0/24") {
		t.Error("the home line was forgotten")
	}
	// Two new places of the day do not push each other out.
	at := 35 * day
	f.login(at, "bob", "203.0.113.200", "JP", 2516)
	f.login(at+time.Minute, "bob", "198.51.250.1", "FR", 51207)
	if !f.e.hist.usedNet("bob", "203.0.113.0/24") || !f.e.hist.usedNet("bob", "198.51.250.0/24") {
		t.Error("a place of the day pushed out another")
	}
}
