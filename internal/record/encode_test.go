package record

import (
	"testing"
)

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		r    Record
		want string
	}{
		{Record{}, `{}`},
		{Record{PID: -1, Line: "x"}, `{"pid":-1,"line":"x"}`},
		{Record{User: "<a&b>\u2028\u2029\x7f"}, "{\"user\":\"<a&b>\\u2028\\u2029\x7f\"}"},
		{Record{User: "a\xffb\xe2\x80"}, `{"user":"a\ufffdb\ufffd\ufffd"}`},
		{Record{User: "\x00\x1f\"\\"}, `{"user":"\u0000\u001f\"\\"}`},
		{Record{IP: "192.0.2.1", Extra: []Field{{Key: "a<", Value: []byte(`[1, 2]`)}, {Key: "b"}}}, `{"ip":"192.0.2.1","a<":[1, 2],"b":null}`},
		{Record{Extra: []Field{{Key: "\xff", Value: []byte(`1`)}}}, `{"\ufffd":1}`},
	}
	for _, tt := range tests {
		got := string(tt.r.AppendJSON([]byte("prefix ")))
		if got != "prefix "+tt.want {
			t.Errorf("AppendJSON(%+v):\ngot  %s\nwant prefix %s", tt.r, got, tt.want)
		}
		checkEncoding(t, &tt.r, []byte(got[len("prefix "):]))
	}
}

// AppendJudged of AppendUnjudged is AppendJSON, whichever members are
// empty: the first member written, before or after the verdict, opens
// the object.
func TestAppendJudged(t *testing.T) {
	full := Record{
		Time: "2026-11-25T08:00:01+01:00", Host: "mx1", Daemon: "dovecot", Service: "imap", Event: EventAuth,
		Outcome: OutcomeFailure, Reason: "password_mismatch", User: "bob@example.com", IP: "203.0.113.7",
		Method: "PLAIN", Session: "x/Yz+1", PID: 4242, PwHash: "5e884898", Scope: "s", Attempts: 3,
		Country: "FR", CountryName: "France", ASN: 64500, ASOrg: "Example \"AS\"", City: "Lyon",
		File: "/var/log/mail.log", Line: "a\tb", Extra: []Field{{Key: "k", Value: []byte(`"v"`)}},
	}
	recs := []Record{
		{},
		full,
		{Outcome: OutcomeSuccess},
		{Reason: "unknown_user", Attempts: 2},
		{Attempts: 1},
		{User: "\xff<u>", Outcome: OutcomeFailure},
		{Line: "x", Outcome: OutcomeSuccess, Attempts: 0},
		{Time: "t", Extra: []Field{{Key: "b"}}},
	}
	for _, r := range recs {
		want := string(r.AppendJSON([]byte("> ")))
		unjudged := r
		unjudged.Outcome, unjudged.Reason, unjudged.Attempts = "", "", 0
		enc, u := unjudged.AppendUnjudged([]byte("junk"))
		got := string(AppendJudged([]byte("> "), enc[len("junk"):], u, r.Outcome, r.Reason, r.Attempts))
		if got != want {
			t.Errorf("AppendJudged(AppendUnjudged(%+v)):\ngot  %s\nwant %s", r, got, want)
		}
	}
}
