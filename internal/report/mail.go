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
func writeMail(w *bufio.Writer, sum *summary, to []*mail.Address, from *mail.Address, now time.Time, rnd io.Reader) error {
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

	var recipients []string
	for _, a := range to {
		recipients = append(recipients, a.String())
	}
	headers := []struct{ name, value string }{
		{"From", from.String()},
		{"To", strings.Join(recipients, ", ")},
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

// parseAddresses reads -to (or MAILCOP_TO): addresses separated by
// commas, as in a To header.
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
