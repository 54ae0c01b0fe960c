package report

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"
)

// parseMail reads a -mail message back as a mail client would, and
// returns its headers and its text and HTML parts, decoded.
func parseMail(t *testing.T, msg []byte) (mail.Header, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pp["charset"] != "utf-8" {
			t.Fatalf("part Content-Type %q: %v", p.Header.Get("Content-Type"), err)
		}
		var body io.Reader = p
		switch cte := p.Header.Get("Content-Transfer-Encoding"); cte {
		case "quoted-printable":
			body = quotedprintable.NewReader(p)
		case "7bit":
		default:
			t.Fatalf("part %s: Content-Transfer-Encoding %q", pt, cte)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("part %s: %v", pt, err)
		}
		parts[pt] = string(b)
	}
	if len(parts) != 2 || parts["text/plain"] == "" || parts["text/html"] == "" {
		t.Fatalf("want a text and an HTML part, got %d parts", len(parts))
	}
	return m.Header, parts["text/plain"], parts["text/html"]
}

// The message is what the summary says, in both parts, with headers a
// mail client and sendmail -t accept.
func TestMailParsesBack(t *testing.T) {
	for _, tc := range []struct {
		lang, subject, text string
	}{
		{"en", "[mailcop] mx1: 85 failed attempts, 2 possible compromises", "85 failed attempts from 18 addresses against 20 accounts"},
		{"fr", "[mailcop] mx1 : 85 tentatives échouées, 2 compromissions possibles", "85 tentatives échouées depuis 18 adresses contre 20 comptes"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			out, stderr, code := run([]string{"-mail", "-lang", tc.lang, "-to", "admin@example.com, Ops Team <ops@example.com>"},
				bytes.NewReader(input(t, "geo")))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			h, text, html := parseMail(t, out)
			var dec mime.WordDecoder
			subject, err := dec.DecodeHeader(h.Get("Subject"))
			if err != nil || subject != tc.subject {
				t.Errorf("Subject %q (%v), want %q", subject, err, tc.subject)
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != 2 || to[0].Address != "admin@example.com" || to[1].Name != "Ops Team" {
				t.Errorf("To %q: %v", h.Get("To"), err)
			}
			from, err := h.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Address != "root@testhost.example.net" {
				t.Errorf("From %q: %v", h.Get("From"), err)
			}
			if d, err := h.Date(); err != nil || !d.Equal(now()) {
				t.Errorf("Date %q: %v", h.Get("Date"), err)
			}
			if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@testhost.example.net>") {
				t.Errorf("Message-ID %q", id)
			}
			if h.Get("MIME-Version") != "1.0" || h.Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("MIME-Version %q, Auto-Submitted %q", h.Get("MIME-Version"), h.Get("Auto-Submitted"))
			}
			for name, body := range map[string]string{"text": text, "html": html} {
				for _, want := range []string{tc.text, "bob@example.com", "198.51.100.23", "45.155.205.233"} {
					if !strings.Contains(body, want) {
						t.Errorf("%s part lacks %q", name, want)
					}
				}
			}
			if !strings.HasPrefix(html, "<!DOCTYPE html>") {
				t.Errorf("HTML part starts %q", html[:min(len(html), 40)])
			}
		})
	}
}

// Nothing from the log can add a header, a recipient or a part.
func TestMailHeadersHold(t *testing.T) {
	out, stderr, code := run([]string{"-mail", "-to", "root@localhost"}, bytes.NewReader(input(t, "hostile")))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, text, html := parseMail(t, out)
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	want := "Auto-Submitted Content-Type Date From Message-Id Mime-Version Subject To"
	if got := strings.Join(slices.Sorted(slices.Values(keys)), " "); got != want {
		t.Errorf("headers %s, want %s", got, want)
	}
	if to := h.Get("To"); to != "<root@localhost>" {
		t.Errorf("To %q", to)
	}
	for _, body := range []string{text, html} {
		if strings.Contains(body, "\nBcc:") || strings.Contains(body, "\x1b") || strings.Contains(body, "\r") {
			t.Errorf("a part holds a raw line break, header or escape")
		}
	}

	// A host from the log with a line break in it, named in the subject.
	rec := `{"time":"2026-11-25T13:00:00+00:00","host":"mx1\r\nBcc: victim@example.org","event":"auth","outcome":"failure","ip":"192.0.2.1"}` + "\n"
	out, stderr, code = run([]string{"-mail", "-to", "root@localhost"}, strings.NewReader(rec))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, _, _ = parseMail(t, out)
	if h.Get("Bcc") != "" || !strings.Contains(h.Get("Subject"), `mx1\r\nBcc: victim@example.org`) {
		t.Errorf("Subject %q, Bcc %q", h.Get("Subject"), h.Get("Bcc"))
	}
}

func TestCheckHeader(t *testing.T) {
	for _, v := range []string{"a\r\nBcc: x", "a\nb", "a\rb", "a\x00b", "a\x7f"} {
		if checkHeader(v) == nil {
			t.Errorf("checkHeader(%q) accepted it", v)
		}
	}
	for _, v := range []string{"", "plain", "tab\there", "=?utf-8?q?=C3=A9?="} {
		if err := checkHeader(v); err != nil {
			t.Errorf("checkHeader(%q): %v", v, err)
		}
	}
	if _, err := parseAddresses("a@example.com,\nb@example.com"); err == nil {
		t.Error("parseAddresses took a line break")
	}
}

func TestIDDomain(t *testing.T) {
	for in, want := range map[string]string{
		"root@mx1.example.net": "mx1.example.net",
		"root@":                "mailcop.invalid",
		"root":                 "mailcop.invalid",
		"root@a b":             "mailcop.invalid",
		"root@[192.0.2.1]":     "mailcop.invalid",
	} {
		if got := idDomain(in); got != want {
			t.Errorf("idDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

// A long line (a 5,000-character username is cut to 64 cells, but an
// unmatched line may be long too) never leaves a body line over 998
// bytes, and non-ASCII goes quoted-printable.
func TestMailLineLength(t *testing.T) {
	for _, in := range []string{"hostile", "geo"} {
		for _, lang := range []string{"en", "fr"} {
			out, _, _ := run([]string{"-mail", "-lang", lang, "-to", "root@localhost"}, bytes.NewReader(input(t, in)))
			for i, line := range strings.Split(string(out), "\n") {
				if len(line) > 998 {
					t.Errorf("%s %s: line %d is %d bytes", in, lang, i+1, len(line))
				}
				for _, c := range []byte(line) {
					if c >= 0x80 {
						t.Fatalf("%s %s: line %d holds 8-bit bytes: %q", in, lang, i+1, line)
					}
				}
			}
		}
	}
}

// A subject that spells an encoded word reads back as the text it is.
func TestEncodeSubject(t *testing.T) {
	var dec mime.WordDecoder
	for _, s := range []string{
		"[mailcop] mx1: 3 failed attempts",
		"[mailcop] mx1 : 3 tentatives échouées",
		"[mailcop] =?utf-8?q?0_failed_attempts?=: 85 failed attempts",
		"[mailcop] =?utf-8?b?w6k=?= é " + strings.Repeat("x", 100),
	} {
		enc := encodeSubject(s)
		if strings.ContainsAny(enc, "\r\n") {
			t.Errorf("%q: encoded with a line break", s)
		}
		got, err := dec.DecodeHeader(enc)
		if err != nil || got != s {
			t.Errorf("encodeSubject(%q) = %q, reads back as %q (%v)", s, enc, got, err)
		}
		for _, w := range strings.Fields(enc) {
			if strings.HasPrefix(w, "=?") && len(w) > 75 {
				t.Errorf("%q: encoded word %q longer than 75", s, w)
			}
		}
	}
}

// -to root makes a message whose To is root, as sendmail -t reads it.
func TestMailToLocal(t *testing.T) {
	out, stderr, code := run([]string{"-mail", "-to", "root"}, bytes.NewReader(input(t, "geo")))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, _, _ := parseMail(t, out)
	if to := h.Get("To"); to != "root" {
		t.Errorf("To %q, want root", to)
	}
}

// A hundred recipients fold into lines of at most 78 characters that
// read back as the hundred addresses.
func TestMailToFolded(t *testing.T) {
	var list []string
	for i := range 100 {
		list = append(list, fmt.Sprintf("Admin %d <admin%d@mailboxes.example.com>", i, i))
	}
	out, stderr, code := run([]string{"-mail", "-to", strings.Join(list, ", ")}, bytes.NewReader(input(t, "geo")))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	head, _, _ := strings.Cut(string(out), "\nSubject:")
	lines := strings.Split(head, "\n")
	if len(lines) < 40 || !strings.HasPrefix(lines[1], "To: ") {
		t.Fatalf("the To header is not folded: %d lines from From to Subject", len(lines))
	}
	for _, line := range lines[1:] {
		if len(line) > 78 {
			t.Errorf("To line of %d characters: %.80q", len(line), line)
		}
	}
	h, _, _ := parseMail(t, out)
	to, err := h.AddressList("To") // unfolded
	if err != nil || len(to) != 100 || to[99].Address != "admin99@mailboxes.example.com" {
		t.Errorf("To unfolds into %d recipients (%v): %.200q", len(to), err, h.Get("To"))
	}
}

// The list is cut at the commas between addresses only, and a bare local
// name is taken as sendmail -t takes it.
func TestParseRecipients(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"root", []string{"root"}},
		{"root, postmaster", []string{"root", "postmaster"}},
		{"root,admin@example.com", []string{"root", "<admin@example.com>"}},
		{`"Doe, John" <john@example.com>, root`, []string{`"Doe, John" <john@example.com>`, "root"}},
		{"ops@example.com (on call, nights)", []string{`"on call, nights" <ops@example.com>`}},
		{"first.last", []string{"first.last"}},
	} {
		got, err := parseRecipients(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseRecipients(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"not an address", "root@", ".root", "ro..ot", "root,,admin@example.com", "root,", "root\nBcc: x@example.org", strings.Repeat("a", 65), "a@" + strings.Repeat("b", 900) + ".example"} {
		if got, err := parseRecipients(in); err == nil {
			t.Errorf("parseRecipients(%q) = %q, want an error", in, got)
		}
	}
}
