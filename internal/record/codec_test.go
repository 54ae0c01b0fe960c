package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// records is one table of realistic records, as the stages write them (and
// as users edit them with jq). It drives TestUnmarshal, the benchmarks and
// the fuzzers' seed corpus.
var records = []string{
	// The typical record, as it leaves mailcop-geo.
	`{"time":"2026-11-26T16:39:43.123456+01:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"password_mismatch","user":"info@example.com","ip":"203.0.113.7","method":"PLAIN","session":"CvN+E95Uf4e7eEnj","attempts":1,"country":"NL","country_name":"Netherlands"}`,
	`{"time":"2026-11-26T16:40:01+01:00","host":"mx1","daemon":"postfix","service":"submission","event":"auth","outcome":"failure","reason":"auth_failed","user":"admin","ip":"198.51.100.23","method":"LOGIN","pid":12345,"attempts":1,"country":"CN","country_name":"China","asn":4134,"as_org":"Chinanet"}`,
	`{"time":"2026-11-26T16:41:12.5+01:00","host":"mail.example.org","daemon":"dovecot","service":"pop3","event":"auth","outcome":"failure","reason":"unknown_user","user":"test","ip":"2001:db8::17","method":"PLAIN","session":"9dGk1E+UqOLAqAAB","attempts":3,"country":"BR","country_name":"Brazil","city":"São Paulo"}`,
	`{"time":"2026-11-26T07:02:55+01:00","host":"mail.example.org","daemon":"dovecot","service":"imap","event":"auth","outcome":"success","user":"alice@example.org","ip":"192.0.2.44","method":"PLAIN","session":"x1Zq9E+UcOLAAAAB","attempts":1,"country":"FR","country_name":"France","city":"Paris","asn":3215,"as_org":"Orange"}`,
	`{"time":"2026-11-26T16:39:40+01:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"password_mismatch","user":"info@example.com","ip":"203.0.113.7","session":"CvN+E95Uf4e7eEnj","pw_hash":"f638ff","attempts":1}`,
	`{"time":"2026-11-26T16:45:00+01:00","host":"mx1","daemon":"fail2ban","event":"ban","ip":"203.0.113.7","country":"NL","country_name":"Netherlands"}`,
	`{"time":"2026-11-26T16:46:00+01:00","host":"mx1","daemon":"dovecot","service":"managesieve","event":"auth","outcome":"failure","reason":"plaintext_disabled","ip":"10.1.2.3","scope":"private","attempts":1}`,
	// mailcop-tail's records: raw lines, full of <user@host>, sometimes
	// with tabs, quotes, escape sequences or bytes that were not UTF-8.
	`{"file":"/var/log/mail.log","line":"Nov 26 16:39:43 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 16 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.7, lip=192.0.2.1, TLS, session=<CvN+E95Uf4e7eEnj>"}`,
	`{"file":"/var/log/mail.log","line":"Nov 26 16:40:01 mx1 postfix/submission/smtpd[12345]: warning: unknown[198.51.100.23]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"}`,
	`{"file":"/var/log/mail.log","line":"Nov 26 16:40:02 mx1 dovecot: auth: passwd-file(\"bob\"\t,198.51.100.9): unknown user \u001b[31mred\u001b[0m \\ <&>"}`,
	`{"file":"/var/log/mail.log.1","line":"Nov 26 16:40:03 mx1 dovecot: auth: sql(\ufffd\ufffd,203.0.113.8): Password mismatch"}`,
	"{\"file\":\"-\",\"line\":\"user=<\xff\xfe> raw bytes that were not UTF-8\"}",
	`{"user":"\u2028\u2029","line":"emoji 😀 \ud83d\ude00 lone \ud800 and \udc00 pair"}`,
	`{"user":"jos\u00e9@ex\u00e4mple.com","ip":"203.0.113.9","method":"CRAM-MD5","attempts":2}`,
	// Keys users add with jq ride along untouched, whatever their type.
	`{"time":"2026-11-26T16:39:43+01:00","ip":"203.0.113.7","tag":"vpn","seen":[1,2.5e3,{"a":null,"b":[true,false]}],"score":-0.25,"note":"<b>&amp;</b>","attempts":2,"blocked":true}`,
	` { "host" : "mx2" ,	"user" : null , "x" : { } , "attempts" : 4 }	`,
	`{}`,
}

// typical is the record the throughput target is stated for.
var typical = []byte(records[0])

var sink any

func BenchmarkUnmarshal(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(typical)))
	var r Record
	for b.Loop() {
		if err := r.Unmarshal(typical); err != nil {
			b.Fatal(err)
		}
	}
	sink = r
}

func BenchmarkAppendJSON(b *testing.B) {
	var r Record
	if err := r.Unmarshal(typical); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(typical)))
	var buf []byte
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
	sink = buf
}

// BenchmarkRoundTrip is what a stage between two others spends per record
// in the codec; the target is 1M records/s, i.e. 1000 ns/op.
func BenchmarkRoundTrip(b *testing.B) {
	for _, line := range []string{records[0], records[7], records[14]} {
		in := []byte(line)
		b.Run(testName(line), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			var r Record
			var buf []byte
			for b.Loop() {
				if err := r.Unmarshal(in); err != nil {
					b.Fatal(err)
				}
				buf = r.AppendJSON(buf[:0])
			}
			sink = buf
		})
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, line := range records {
		f.Add([]byte(line))
	}
	f.Add([]byte(`{"attempts":1.5}`))
	f.Add([]byte(`{"user":"\ud800\udc00\ud800x"}`))
	f.Add([]byte(`{"x":[{"y":"\u0000"}],"x":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithEncodingJSON(t, data)
	})
}

// FuzzRoundTrip puts arbitrary Go strings (invalid UTF-8, control
// characters, U+2028...) into records and checks what AppendJSON makes of
// them against encoding/json.
func FuzzRoundTrip(f *testing.F) {
	for _, line := range records {
		var r Record
		if err := r.Unmarshal([]byte(line)); err != nil {
			f.Fatal(err)
		}
		key, value := "", []byte(nil)
		if len(r.Extra) > 0 {
			key, value = r.Extra[0].Key, r.Extra[0].Value
		}
		f.Add(r.Time, r.User, r.Line, r.Attempts, key, value)
	}
	f.Add("\xff<a&b>", "\u2028\u2029", "\x00\x1f\x7f\"\\", -1, "\xfe", []byte(`"\xff"`))
	f.Fuzz(func(t *testing.T, time, user, line string, attempts int, key string, value []byte) {
		r := Record{Time: time, Host: "mx1", User: user, Line: line, Attempts: attempts, Country: user}
		if key != "" && lookup(key) == fUnknown && json.Valid(value) && utf8.Valid(value) {
			r.Extra = []Field{{Key: key, Value: value}}
		}
		out := r.AppendJSON(nil)
		checkEncoding(t, &r, out)

		// What comes back is what encoding/json reads from the strings.
		var back Record
		if err := back.Unmarshal(out); err != nil {
			t.Fatalf("Unmarshal(%s): %v", out, err)
		}
		for _, s := range []struct{ got, orig string }{{back.Time, time}, {back.User, user}, {back.Line, line}, {back.Country, user}} {
			if want := viaEncodingJSON(t, s.orig); s.got != want {
				t.Errorf("string %q came back as %q, want %q", s.orig, s.got, want)
			}
		}
		if back.Attempts != attempts {
			t.Errorf("attempts %d came back as %d", attempts, back.Attempts)
		}
		// A second round changes nothing.
		again := back.AppendJSON(nil)
		var third Record
		if err := third.Unmarshal(again); err != nil {
			t.Fatal(err)
		}
		if got := third.AppendJSON(nil); !bytes.Equal(got, again) {
			t.Errorf("not a fixed point:\n%s\n%s", again, got)
		}
	})
}

// compareWithEncodingJSON checks Unmarshal against encoding/json on data:
// the same decision, the same values, and an encoding of the result that
// encoding/json reads back as the same record.
func compareWithEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	var r Record
	err := r.Unmarshal(data)
	want, wantErr := refUnmarshal(data)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("Unmarshal(%q): error %v, encoding/json says %v", data, err, wantErr)
	}
	if err != nil {
		if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n") || strings.HasSuffix(msg, ".") {
			t.Errorf("badly worded error %q", msg)
		}
		return
	}
	if got := recordMap(t, &r); !reflect.DeepEqual(got, want) {
		t.Errorf("Unmarshal(%q):\ngot  %#v\nwant %#v", data, got, want)
	}
	checkEncoding(t, &r, r.AppendJSON(nil))
}

// decoded is a record as encoding/json sees it: what is present, extras
// decoded, and the order of the extras' keys.
type decoded struct {
	fields map[string]any
	order  []string
}

// refUnmarshal is what Unmarshal must do, written with encoding/json.
func refUnmarshal(data []byte) (decoded, error) {
	fail := func(err error) (decoded, error) { return decoded{}, err }
	if !json.Valid(data) {
		return fail(errors.New("invalid JSON"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return fail(errors.New("not an object"))
	}
	m := map[string]any{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		delete(m, key)
		switch {
		case refStringKeys[key]:
			var s *string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fail(err)
			}
			if s != nil && *s != "" {
				m[key] = *s
			}
		case key == "pid" || key == "attempts" || key == "asn":
			if string(raw) == "null" {
				continue
			}
			if !jsonInteger.Match(raw) {
				return fail(errors.New("not an integer"))
			}
			n, err := strconv.ParseInt(string(raw), 10, strconv.IntSize)
			if err != nil {
				return fail(err)
			}
			if n != 0 {
				m[key] = int(n)
			}
		default:
			if !contains(order, key) {
				order = append(order, key)
			}
			m[key] = decodeAny(raw)
		}
	}
	return decoded{m, order}, nil
}

var refStringKeys = map[string]bool{
	"time": true, "host": true, "daemon": true, "service": true, "event": true,
	"outcome": true, "reason": true, "user": true, "ip": true, "method": true,
	"session": true, "pw_hash": true, "scope": true, "country": true,
	"country_name": true, "as_org": true, "city": true, "file": true, "line": true,
}

var jsonInteger = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// recordMap is r in refUnmarshal's form.
func recordMap(t *testing.T, r *Record) decoded {
	t.Helper()
	m := map[string]any{}
	for k, v := range map[string]string{
		"time": r.Time, "host": r.Host, "daemon": r.Daemon, "service": r.Service,
		"event": r.Event, "outcome": r.Outcome, "reason": r.Reason, "user": r.User,
		"ip": r.IP, "method": r.Method, "session": r.Session, "pw_hash": r.PwHash,
		"scope": r.Scope, "country": r.Country, "country_name": r.CountryName,
		"as_org": r.ASOrg, "city": r.City, "file": r.File, "line": r.Line,
	} {
		if v != "" {
			m[k] = v
		}
	}
	for k, v := range map[string]int{"pid": r.PID, "attempts": r.Attempts, "asn": r.ASN} {
		if v != 0 {
			m[k] = v
		}
	}
	var order []string
	for _, f := range r.Extra {
		value := f.Value
		if len(value) == 0 { // as AppendJSON writes it
			value = []byte("null")
		}
		if !json.Valid(value) || !utf8.Valid(value) {
			t.Errorf("extra %q: invalid value %q", f.Key, value)
		}
		order = append(order, f.Key)
		m[f.Key] = decodeAny(value)
	}
	return decoded{m, order}
}

func decodeAny(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // compare numbers as written
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Sprintf("undecodable %q: %v", raw, err)
	}
	return v
}

// refRecord is Record for encoding/json, to compare encodings with.
type refRecord struct {
	Time        string `json:"time,omitempty"`
	Host        string `json:"host,omitempty"`
	Daemon      string `json:"daemon,omitempty"`
	Service     string `json:"service,omitempty"`
	Event       string `json:"event,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	Reason      string `json:"reason,omitempty"`
	User        string `json:"user,omitempty"`
	IP          string `json:"ip,omitempty"`
	Method      string `json:"method,omitempty"`
	Session     string `json:"session,omitempty"`
	PID         int    `json:"pid,omitempty"`
	PwHash      string `json:"pw_hash,omitempty"`
	Scope       string `json:"scope,omitempty"`
	Attempts    int    `json:"attempts,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryName string `json:"country_name,omitempty"`
	ASN         int    `json:"asn,omitempty"`
	ASOrg       string `json:"as_org,omitempty"`
	City        string `json:"city,omitempty"`
	File        string `json:"file,omitempty"`
	Line        string `json:"line,omitempty"`
}

// checkEncoding checks out, AppendJSON's output for r: valid UTF-8 JSON,
// byte for byte what encoding/json writes (known keys; extras as given),
// and read back by encoding/json as r.
func checkEncoding(t *testing.T, r *Record, out []byte) {
	t.Helper()
	if !json.Valid(out) || !utf8.Valid(out) {
		t.Fatalf("AppendJSON wrote invalid JSON: %q", out)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toRef(r)); err != nil {
		t.Fatal(err)
	}
	want := bytes.TrimSuffix(buf.Bytes(), []byte("}\n"))
	for _, f := range r.Extra {
		if len(want) > 1 {
			want = append(want, ',')
		}
		value := f.Value
		if len(value) == 0 {
			value = []byte("null")
		}
		want = append(append(append(want, marshalNoHTML(t, f.Key)...), ':'), value...)
	}
	want = append(want, '}')
	if !bytes.Equal(out, want) {
		t.Errorf("AppendJSON:\ngot  %q\nwant %q", out, want)
	}

	got, err := refUnmarshal(out)
	if err != nil {
		t.Fatalf("encoding/json cannot read %q back: %v", out, err)
	}
	// What r should read as: its strings as encoding/json reads them back
	// (invalid UTF-8 made U+FFFD), extras' keys likewise.
	exp := decoded{fields: map[string]any{}}
	m := recordMap(t, r)
	for _, key := range m.order {
		exp.order = append(exp.order, viaEncodingJSON(t, key))
	}
	for k, v := range m.fields {
		switch {
		case refStringKeys[k]:
			exp.fields[k] = viaEncodingJSON(t, v.(string))
		case k == "pid" || k == "attempts" || k == "asn":
			exp.fields[k] = v
		default:
			exp.fields[viaEncodingJSON(t, k)] = v
		}
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("encoding/json reads %q back as\n%#v\nwant %#v", out, got, exp)
	}
}

func toRef(r *Record) refRecord {
	return refRecord{
		Time: r.Time, Host: r.Host, Daemon: r.Daemon, Service: r.Service,
		Event: r.Event, Outcome: r.Outcome, Reason: r.Reason, User: r.User,
		IP: r.IP, Method: r.Method, Session: r.Session, PID: r.PID,
		PwHash: r.PwHash, Scope: r.Scope, Attempts: r.Attempts,
		Country: r.Country, CountryName: r.CountryName, ASN: r.ASN,
		ASOrg: r.ASOrg, City: r.City, File: r.File, Line: r.Line,
	}
}

func marshalNoHTML(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func viaEncodingJSON(t *testing.T, s string) string {
	t.Helper()
	b := marshalNoHTML(t, s)
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// testName names a subtest by its input, shortened.
func testName(in string) string {
	if len(in) > 40 {
		in = in[:40]
	}
	return strconv.Quote(in)
}
