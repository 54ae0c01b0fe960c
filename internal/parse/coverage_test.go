package parse

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/record"
)

// Lines of one attack on two hosts: mx1 logs with dovecot's default
// (login processes only), mx2 with auth_verbose.
var coverageLines = []string{
	"Nov 26 10:00:04 mx1 dovecot: imap-login: Login: user=<joe@example.com>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, mpid=4101, TLS, session=<q454Xu/vMwBZApgg>",
	"Nov 26 10:00:07 mx1 dovecot: pop3-login: Disconnected (auth failed, 2 attempts in 5 secs): user=<root>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, session=<r454Xu/vMwBZApgg>",
	"Nov 26 10:00:01 mx2 dovecot: auth: passwd-file(joe@example.com,203.0.113.9,<s454Xu/vMwBZApgg>): Password mismatch",
	"Nov 26 10:00:04 mx2 dovecot: imap-login: Login: user=<joe@example.com>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, mpid=4101, TLS, session=<s454Xu/vMwBZApgg>",
}

func finishAll(t *testing.T, cfg Config, lines ...string) []record.Record {
	t.Helper()
	var recs []record.Record
	p := NewParser(cfg, func(r *record.Record) error { recs = append(recs, *r); return nil }, func(err error) { t.Error(err) })
	if err := p.Read(strings.NewReader(strings.Join(lines, "\n")+"\n"), "mail.log", testConfig().Now(), nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Finish(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// With -unmatched, the end of the input says which hosts' logs cannot show
// the failures of a session that ends in a login.
func TestCoverageRecord(t *testing.T) {
	cfg := testConfig()
	cfg.Unmatched = true
	recs := finishAll(t, cfg, coverageLines...)
	var got []string
	for _, r := range recs {
		if r.Event == "coverage" {
			got = append(got, r.Host+" "+r.Daemon+" "+r.Reason)
		}
	}
	if strings.Join(got, "|") != "mx1 dovecot auth_not_logged" {
		t.Errorf("coverage records %q, want mx1's alone", got)
	}
	if last := recs[len(recs)-1]; last.Event != "coverage" {
		t.Errorf("the coverage record is not last: %+v", last)
	}

	// Without -unmatched, records are auth events only.
	for _, r := range finishAll(t, testConfig(), coverageLines...) {
		if r.Event != "auth" {
			t.Errorf("without -unmatched: %+v", r)
		}
	}
	// PAM's own line shows the attempts too; postfix alone says nothing
	// of dovecot.
	cfg.Unmatched = true
	for _, lines := range [][]string{
		{coverageLines[0], "Nov 26 10:00:01 mx1 auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=joe rhost=203.0.113.9"},
		{"Nov 26 10:00:01 mx1 postfix/smtpd[3003]: warning: unknown[198.51.100.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"},
	} {
		for _, r := range finishAll(t, cfg, lines...) {
			if r.Event == "coverage" {
				t.Errorf("%q: %+v", lines, r)
			}
		}
	}
}

// -v names the host and the dovecot settings that show what is missing.
func TestVerboseSaysWhatCannotBeSeen(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte(strings.Join(coverageLines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if err := Run(context.Background(), []string{"-v", "-year", "2026", "-tz", "UTC", log}, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "4 lines, 4 about auth, 4 records: 3 failed attempts, 2 logins;") {
		t.Fatalf("stderr:\n%s", errs.String())
	}
	for _, want := range []string{"hint: mx1: ", "auth_verbose = yes", "auth_verbose_passwords other than no", "sha1:6", "pw_hash"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("hint %q lacks %q", lines[1], want)
		}
	}

	// A log with the auth process's lines gets no hint.
	errs.Reset()
	if err := Run(context.Background(), []string{"-v", "-year", "2026", "-tz", "UTC", "-"}, strings.NewReader(strings.Join(coverageLines[2:], "\n")+"\n"), &out, &errs); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errs.String(), "hint") {
		t.Errorf("hint for a log with auth lines:\n%s", errs.String())
	}
}
