package tailer

import (
	"bytes"
	"encoding/base64"
	"testing"
	"unicode/utf8"

	"github.com/mailcop/mailcop/internal/record"
)

// wantLine is a line's record as the record codec writes it: the emitter
// encodes lines itself, and must write exactly this.
func wantLine(file string, b []byte) []byte {
	r := record.Record{File: file, Line: string(b)}
	if !utf8.Valid(b) {
		r.Extra = []record.Field{{Key: "line_b64", Value: record.AppendString(nil, base64.StdEncoding.EncodeToString(b))}}
	}
	return append(r.AppendJSON(nil), '\n')
}

func checkEmitter(t *testing.T, files []string, lines [][]byte) {
	t.Helper()
	var out bytes.Buffer
	e := newEmitter(&out)
	var want []byte
	for i, b := range lines {
		file := files[i%len(files)]
		if err := e.line(file, b); err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			want = append(want, wantLine(file, b)...)
		}
	}
	if err := e.flush(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("emitter wrote\n%s\nwant\n%s", out.Bytes(), want)
	}
}

func TestEmitterLine(t *testing.T) {
	files := []string{"/var/log/mail.log", "", `/var/log/"odd"\name` + "\n", "/var/log/mail.log.1"}
	lines := [][]byte{
		[]byte("Nov 25 06:25:01 mx1 dovecot: imap-login: Login: user=<a@example.com>, rip=203.0.113.5"),
		[]byte(`user=<"quoted"\back>`),
		[]byte("tab\there, nul\x00, del\x7f"),
		[]byte("caf\xc3\xa9 and \u2028 \u2029 and \uFFFD"),
		[]byte("bad \xff\xfe bytes"),
		[]byte("surrogate \xed\xa0\x80 overlong \xc0\xaf"),
		nil,
		[]byte("cut \xe2\x82"),
	}
	checkEmitter(t, files, lines)
}

func FuzzEmitterLine(f *testing.F) {
	f.Add("/var/log/mail.log", []byte("Nov 25 06:25:01 mx1 postfix/smtpd[1]: x"))
	f.Add("", []byte("bad \xff"))
	f.Add(`a"b`, []byte("\u2028\x01"))
	f.Fuzz(func(t *testing.T, file string, line []byte) {
		checkEmitter(t, []string{file}, [][]byte{line, line})
	})
}
