package report

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// writeMail writes the summary as a complete message for `sendmail -t
// -oi`: RFC 5322 headers, then multipart/alternative with the text and
// the HTML, each 7bit when it is ASCII in short lines, else
// quoted-printable (which also folds lines longer than SMTP allows). Lines
// end in LF,
// as sendmail expects on its standard input.
//
// No header value may hold a line break: those from flags were checked
// when parsed, those from the log (the host in the subject) went through
// safe, and every value is checked again here, so that nothing can add
// a header or a recipient.
func writeMail(w *bufio.Writer, sum *summary, to []string, from *mail.Address, now time.Time, rnd io.Reader) error {
	var text, html bytes.Buffer
	tw := bufio.NewWriter(&text)
	if err := writeText(tw, sum); err != nil {
		return err
	}
	tw.Flush()
	hw := bufio.NewWriter(&html)
	if err := writeHTML(hw, sum); err != nil {
		return err
	}
	hw.Flush()

	var id [24]byte
	if _, err := io.ReadFull(rnd, id[:]); err != nil {
		return fmt.Errorf("read random bytes: %w", err)
	}
	boundary := "mailcop-" + hex.EncodeToString(id[:12])
	msgID := "<" + now.UTC().Format("20060102150405") + "." + hex.EncodeToString(id[12:]) + "@" + idDomain(from.Address) + ">"

	headers := []struct{ name, value string }{
		{"From", from.String()},
		{"To", strings.Join(to, ", ")},
		{"Subject", encodeSubject(sum.m.subject(sum.host, sum.attempts, sum.alerts))},
		{"Date", now.Format(time.RFC1123Z)},
		{"Message-ID", msgID},
		{"MIME-Version", "1.0"},
		{"Auto-Submitted", "auto-generated"},
		{"Content-Type", `multipart/alternative; boundary="` + boundary + `"`},
	}
	for _, h := range headers {
		if err := checkHeader(h.value); err != nil {
			return fmt.Errorf("%s header: %w", h.name, err)
		}
		if h.name == "To" {
			writeFolded(w, h.name, to)
			continue
		}
		w.WriteString(h.name + ": " + h.value + "\n")
	}
	w.WriteString("\n")
	for _, part := range []struct {
		typ  string
		body []byte
	}{{"text/plain", text.Bytes()}, {"text/html", html.Bytes()}} {
		w.WriteString("--" + boundary + "\n")
		w.WriteString("Content-Type: " + part.typ + "; charset=utf-8\n")
		if plain7bit(part.body) {
			// ASCII in short lines is sent as it is: readable in any
			// mail client and with grep.
			w.WriteString("Content-Transfer-Encoding: 7bit\n\n")
			w.Write(part.body)
			w.WriteString("\n")
			continue
		}
		w.WriteString("Content-Transfer-Encoding: quoted-printable\n\n")
		var qp bytes.Buffer
		q := quotedprintable.NewWriter(&qp)
		q.Write(part.body)
		q.Close()
		// The encoder ends lines in CRLF; the bodies hold no CR of their
		// own (safe turned any into \r), so every CRLF is a line end.
		w.Write(bytes.ReplaceAll(qp.Bytes(), []byte("\r\n"), []byte("\n")))
		w.WriteString("\n")
	}
	_, err := w.WriteString("--" + boundary + "--\n")
	return err
}

// plain7bit reports whether a body can go as 7bit: ASCII without
// controls but tab and LF, in lines of at most 998 bytes (RFC 5322).
func plain7bit(b []byte) bool {
	n := 0
	for _, c := range b {
		switch {
		case c == '\n':
			n = 0
			continue
		case c >= 0x80, c < 0x20 && c != '\t', c == 0x7f:
			return false
		}
		if n++; n > 998 {
			return false
		}
	}
	return true
}

// encodeSubject encodes a subject for its header: as it is when it is
// ASCII, else in RFC 2047 encoded words. A host from the log could spell
// an encoded word itself ("=?utf-8?q?...?="), which mail clients would
// decode into any text: then the whole subject is encoded, so that its
// "=?" is text.
func encodeSubject(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	const hex = "0123456789ABCDEF"
	var words []string
	var w []byte
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		if len(w) > 40 {
			words = append(words, "=?utf-8?q?"+string(w)+"?=")
			w = w[:0]
		}
		for _, c := range []byte(s[i : i+size]) {
			switch {
			case c == ' ':
				w = append(w, '_')
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!*+-/", c) >= 0:
				w = append(w, c)
			default:
				w = append(w, '=', hex[c>>4], hex[c&0xf])
			}
		}
		i += size
	}
	return strings.Join(append(words, "=?utf-8?q?"+string(w)+"?="), " ")
}

var errLineBreak = errors.New("line break in a header value")

// checkHeader rejects what could end a header early: CR, LF, and any
// other control character.
func checkHeader(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\r' || c == '\n' {
			return errLineBreak
		} else if c < 0x20 && c != '\t' || c == 0x7f {
			return fmt.Errorf("control character %#02x in a header value", c)
		}
	}
	return nil
}

// idDomain is the right-hand side of the Message-ID: the sender's
// domain when it is a plain one.
func idDomain(addr string) string {
	_, d, ok := strings.Cut(addr, "@")
	if !ok || d == "" || len(d) > 253 {
		return "mailcop.invalid"
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "mailcop.invalid"
		}
	}
	return d
}

// foldWidth is where a header line is folded when it can be: RFC 5322
// recommends 78 characters, and forbids more than 998.
const foldWidth = 78

// writeFolded writes a header of comma-separated items, folding its line
// (a line break before the space after a comma, RFC 5322 section 2.2.3)
// where the next item would pass foldWidth, so that a hundred recipients
// still make lines every mail server takes.
func writeFolded(w *bufio.Writer, name string, items []string) {
	w.WriteString(name + ":")
	n := len(name) + 1
	for i, it := range items {
		sep := " "
		if i < len(items)-1 {
			it += ","
		}
		if i > 0 && n+1+len(it) > foldWidth {
			sep = "\n "
			n = 0
		}
		w.WriteString(sep + it)
		n += 1 + len(it)
	}
	w.WriteString("\n")
}

// maxRecipient is the longest recipient taken: with its folding space
// and comma it still fits in one 998-character header line.
const maxRecipient = 900

// parseRecipients reads -to (or MAILCOP_TO): addresses separated by
// commas, as in a To header, and returns each as the header writes it. A
// bare local name (root, postmaster) is a local recipient, as sendmail
// -t takes it, and is written as it is: net/mail wants an '@'.
func parseRecipients(s string) ([]string, error) {
	if err := checkHeader(s); err != nil {
		return nil, err
	}
	var list []string
	for _, item := range splitAddressList(s) {
		item = strings.TrimSpace(item)
		var r string
		switch {
		case item == "":
			return nil, errors.New("an empty recipient")
		case isLocalPart(item):
			r = item
		default:
			a, err := mail.ParseAddress(item)
			if err != nil && item != strings.TrimSpace(s) {
				err = fmt.Errorf("%q: %w", item, err)
			}
			if err != nil {
				return nil, err
			}
			r = a.String()
		}
		if len(r) > maxRecipient {
			return nil, fmt.Errorf("a recipient of %d characters: at most %d", len(r), maxRecipient)
		}
		list = append(list, r)
	}
	return list, nil
}

// splitAddressList cuts a list at the commas that separate its
// addresses, not those inside a quoted name, a comment or angle brackets
// ("Doe, John" <john@example.com>).
func splitAddressList(s string) []string {
	var items []string
	start, depth, quoted, angle := 0, 0, false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++ // the escaped character, whatever it is
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case c == ',' && !angle:
			items = append(items, s[start:i])
			start = i + 1
		}
	}
	return append(items, s[start:])
}

// isLocalPart reports whether s is a bare local name: an RFC 5322
// dot-atom of at most 64 characters, without '@'.
func isLocalPart(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0) {
			return false
		}
	}
	return true
}

// parseAddresses reads -from (or MAILCOP_FROM).
func parseAddresses(s string) ([]*mail.Address, error) {
	if err := checkHeader(s); err != nil {
		return nil, err
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, err
	}
	return list, nil
}
