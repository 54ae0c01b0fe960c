package record

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// PlainLineRecord takes only what Unmarshal reads as a bare line record,
// and returns the same file and line.
func FuzzPlainLineRecord(f *testing.F) {
	f.Add([]byte(`{"file":"/var/log/mail.log","line":"Nov 25 06:25:01 mx1 dovecot: imap-login: Login: user=<a>"}`))
	f.Add([]byte(`{"line":"x"}`))
	f.Add([]byte(`{"file":"a","line":"tab\there"}`))
	f.Add([]byte(`{"file":"a","line":"b","line_b64":"Yg=="}`))
	f.Add([]byte(`{"file":"a","line":"b"} `))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, line, ok := PlainLineRecord(b)
		if !ok {
			return
		}
		var r Record
		if err := r.Unmarshal(b); err != nil {
			t.Fatalf("PlainLineRecord took %q, Unmarshal: %v", b, err)
		}
		want := Record{File: r.File, Line: r.Line}
		if !reflect.DeepEqual(r, want) || r.File != string(file) || r.Line != string(line) {
			t.Errorf("PlainLineRecord(%q) = %q, %q; Unmarshal: %+v", b, file, line, r)
		}
	})
}

func TestPlainLineRecord(t *testing.T) {
	for in, want := range map[string]bool{
		`{"file":"/var/log/mail.log","line":"Nov 25 06:25:01 mx1 postfix/smtpd[1]: x"}`: true,
		`{"line":"Nov 25 06:25:01 mx1 postfix/smtpd[1]: x"}`:                            true,
		`{"file":"/var/log/mail.log","line":"user=<\"a\">"}`:                            false, // escapes: Unmarshal's
		`{"file":"/var/log/mail.log","line":"caf\u00e9"}`:                               false,
		`{"file":"/var/log/mail.log","line":"café"}`:                                    false, // not ASCII
		`{"file":"/var/log/mail.log","line":"x","line_b64":"eA=="}`:                     false,
		`{"line":"x","file":"/var/log/mail.log"}`:                                       false, // another order
		`{"file":"/var/log/mail.log","line":"x"`:                                        false,
	} {
		if _, _, ok := PlainLineRecord([]byte(in)); ok != want {
			t.Errorf("PlainLineRecord(%s): ok %v, want %v", in, ok, want)
		}
	}
}

// checkLineRecord checks the record LineEncoder wrote for (file, line):
// Unmarshal reads back the file, the line (U+FFFD for its bad bytes) and,
// for a line that is not UTF-8, its exact bytes in line_b64; and
// PlainLineRecord takes it exactly when both strings are plain ASCII,
// giving back their bytes.
func checkLineRecord(t *testing.T, rec []byte, file string, line []byte) {
	t.Helper()
	var r Record
	if err := r.Unmarshal(rec); err != nil {
		t.Fatalf("Unmarshal(%q): %v", rec, err)
	}
	// []rune gives U+FFFD for each bad byte, as encoding/json writes them.
	if r.File != file || r.Line != string([]rune(string(line))) {
		t.Errorf("record %q: file %q line %q, want %q %q", rec, r.File, r.Line, file, line)
	}
	b64, hasB64 := r.Get("line_b64")
	if hasB64 == utf8.Valid(line) {
		t.Errorf("record %q: line_b64 present %v for a line valid %v", rec, hasB64, utf8.Valid(line))
	}
	if hasB64 {
		exact, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || !bytes.Equal(exact, line) {
			t.Errorf("record %q: line_b64 gives %q (%v), want %q", rec, exact, err, line)
		}
	}
	plainASCII := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\' {
				return false
			}
		}
		return true
	}
	f, l, ok := PlainLineRecord(rec)
	if want := plainASCII(file) && plainASCII(string(line)); ok != want {
		t.Errorf("PlainLineRecord(%q): ok %v, want %v", rec, ok, want)
	}
	if ok && (string(f) != file || !bytes.Equal(l, line)) {
		t.Errorf("PlainLineRecord(%q) = %q, %q; want %q, %q", rec, f, l, file, line)
	}
}

func TestLineEncoder(t *testing.T) {
	var e LineEncoder
	for _, tc := range []struct {
		file, line string
		want       string
	}{
		{"/var/log/mail.log", "Nov 25 06:25:01 mx1 postfix/smtpd[1]: x",
			`{"file":"/var/log/mail.log","line":"Nov 25 06:25:01 mx1 postfix/smtpd[1]: x"}`},
		{"/var/log/mail.log", `user=<"a"> café`,
			`{"file":"/var/log/mail.log","line":"user=<\"a\"> café"}`},
		{"", "x", `{"line":"x"}`},
		{`/var/log/"odd"`, "x", `{"file":"/var/log/\"odd\"","line":"x"}`},
		{"/var/log/mail.log", "user=\xff\xfe",
			`{"file":"/var/log/mail.log","line":"user=\ufffd\ufffd","line_b64":"dXNlcj3//g=="}`},
		{"/var/log/mail.log", "back to the first file",
			`{"file":"/var/log/mail.log","line":"back to the first file"}`},
	} {
		got := e.Append([]byte("kept:"), tc.file, []byte(tc.line))
		if string(got) != "kept:"+tc.want {
			t.Errorf("Append(%q, %q) = %s, want kept:%s", tc.file, tc.line, got, tc.want)
		}
		checkLineRecord(t, got[len("kept:"):], tc.file, []byte(tc.line))
	}
}

// What mailcop-tail writes, parse's fast path and Unmarshal read alike.
func FuzzLineEncoder(f *testing.F) {
	f.Add("/var/log/mail.log", []byte("Nov 25 06:25:01 mx1 dovecot: imap-login: Login: user=<a>"))
	f.Add("", []byte("a\tb"))
	f.Add("f", []byte("\xff"))
	f.Add("f\u2028", []byte("\\u0041"))
	f.Fuzz(func(t *testing.T, file string, line []byte) {
		if !utf8.ValidString(file) {
			// mailcop-tail's file names come from its command line and
			// glob; "file" has no _b64 twin, so only UTF-8 ones round-trip.
			file = strings.ToValidUTF8(file, "\uFFFD")
		}
		var e LineEncoder
		checkLineRecord(t, e.Append(nil, file, line), file, line)
	})
}
