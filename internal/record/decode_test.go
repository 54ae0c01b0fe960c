package record

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestUnmarshal(t *testing.T) {
	for _, line := range records {
		t.Run(testName(line), func(t *testing.T) {
			t.Parallel()
			compareWithEncodingJSON(t, []byte(line))
		})
	}
}

func TestUnmarshalValues(t *testing.T) {
	var r Record
	if err := r.Unmarshal(typical); err != nil {
		t.Fatal(err)
	}
	want := Record{
		Time: "2026-11-26T16:39:43.123456+01:00", Host: "mx1", Daemon: "dovecot",
		Service: "imap", Event: "auth", Outcome: "failure", Reason: "password_mismatch",
		User: "info@example.com", IP: "203.0.113.7", Method: "PLAIN",
		Session: "CvN+E95Uf4e7eEnj", Attempts: 1, Country: "NL", CountryName: "Netherlands",
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
	if got := string(r.AppendJSON(nil)); got != string(typical) {
		t.Errorf("AppendJSON:\ngot  %s\nwant %s", got, typical)
	}
}

func TestUnmarshalEdges(t *testing.T) {
	tests := []struct {
		in   string
		want string // AppendJSON of the result, or "error: ..." for the message
	}{
		{`{"user":"a","user":"b"}`, `{"user":"b"}`},
		{`{"user":"a","user":null}`, `{}`},
		{`{"attempts":3,"attempts":null}`, `{}`},
		{`{"x":1,"y":2,"x":[3]}`, `{"x":[3],"y":2}`},
		{`{"us\u0065r":"a","\u0078":1,"x":2}`, `{"user":"a","x":2}`},
		{`{"pid":-0,"asn":-12}`, `{"asn":-12}`},
		{`{"pid":9223372036854775807}`, `{"pid":9223372036854775807}`},
		{`{"pid":-9223372036854775808}`, `{"pid":-9223372036854775808}`},
		{`{"user":"<a&b>"}`, `{"user":"<a&b>"}`},
		{`{"user":"\/\b\f\n\r\t\u0001\u007f"}`, `{"user":"/\b\f\n\r\t\u0001` + "\x7f" + `"}`},
		{`{"user":"\ud800\u0041"}`, `{"user":"` + "\uFFFD" + `A"}`},
		{`{"user":"\ud83d\ude00\udc00"}`, `{"user":"😀` + "\uFFFD" + `"}`},
		{"{\"x\":\"\xff\"}", `{"x":"\ufffd"}`},
		{"{\"\xff\":1}", "{\"\uFFFD\":1}"},
		{"\r\n\t {\"a\" \n:\t1 } \r\n", `{"a":1}`},

		{``, `error: unexpected end of JSON input`},
		{`  `, `error: unexpected end of JSON input`},
		{`{"user":"a"`, `error: unexpected end of JSON input`},
		{`{"user":"a`, `error: unexpected end of JSON input`},
		{`{"user":"a\`, `error: unexpected end of JSON input`},
		{`{"user":"\u12`, `error: unexpected end of JSON input`},
		{`{"x":[1,`, `error: unexpected end of JSON input`},
		{`{"x":tru`, `error: unexpected end of JSON input`},
		{`{"x":-`, `error: unexpected end of JSON input`},
		{`[1,2]`, `error: not a JSON object`},
		{`"user"`, `error: not a JSON object`},
		{`null`, `error: not a JSON object`},
		{`hello`, `error: invalid character 'h' at offset 0`},
		{`{"user":"a"} x`, `error: invalid character 'x' at offset 13`},
		{`{"user":"a"}{}`, `error: invalid character '{' at offset 12`},
		{`{"user":"a",}`, `error: invalid character '}' at offset 12`},
		{`{"user" "a"}`, `error: invalid character '"' at offset 8`},
		{`{user:"a"}`, `error: invalid character 'u' at offset 1`},
		{`{"x":01}`, `error: invalid character '1' at offset 6`},
		{`{"x":1.}`, `error: invalid character '}' at offset 7`},
		{`{"x":.5}`, `error: invalid character '.' at offset 5`},
		{`{"x":+1}`, `error: invalid character '+' at offset 5`},
		{`{"x":nul}`, `error: invalid character '}' at offset 8`},
		{`{"x":'a'}`, `error: invalid character '\'' at offset 5`},
		{`{"x":"\x"}`, `error: invalid character 'x' in string escape at offset 7`},
		{`{"x":"\u12G4"}`, `error: invalid character 'G' in \u escape at offset 10`},
		{"{\"x\":\"a\tb\"}", `error: invalid character '\t' in string at offset 7`},
		{"{\"x\":\"a\x00\"}", `error: invalid character '\x00' in string at offset 7`},
		{"\xef\xbb\xbf{}", `error: invalid character '\xef' at offset 0`},
		{`{"attempts":1.5}`, `error: "attempts": want an integer`},
		{`{"attempts":1e3}`, `error: "attempts": want an integer`},
		{`{"attempts":"3"}`, `error: "attempts": want an integer`},
		{`{"pid":true}`, `error: "pid": want an integer`},
		{`{"asn":[1]}`, `error: "asn": want an integer`},
		{`{"pid":9223372036854775808}`, `error: "pid": integer out of range`},
		{`{"user":5}`, `error: "user": want a string`},
		{`{"ip":{"v":4}}`, `error: "ip": want a string`},
		{`{"country":false}`, `error: "country": want a string`},
		{`{"attempts":"x","attempts":1}`, `error: "attempts": want an integer`},
	}
	for _, tt := range tests {
		t.Run(testName(tt.in), func(t *testing.T) {
			t.Parallel()
			var r Record
			got := ""
			if err := r.Unmarshal([]byte(tt.in)); err != nil {
				got = "error: " + err.Error()
			} else {
				got = string(r.AppendJSON(nil))
			}
			if got != tt.want {
				t.Errorf("Unmarshal(%q):\ngot  %s\nwant %s", tt.in, got, tt.want)
			}
			compareWithEncodingJSON(t, []byte(tt.in))
		})
	}
}

func TestUnmarshalDepth(t *testing.T) {
	// The record is one level; encoding/json allows 10000 in all.
	for _, depth := range []int{maxDepth - 1, maxDepth} {
		in := `{"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
		var r Record
		err := r.Unmarshal([]byte(in))
		if (err == nil) != json.Valid([]byte(in)) {
			t.Errorf("depth %d: Unmarshal error %v, json.Valid %v", depth, err, json.Valid([]byte(in)))
		}
	}
}

// TestUnmarshalReuse checks that decoded strings do not alias the input
// (the reader reuses its buffer) and that Extra's storage is reused.
func TestUnmarshalReuse(t *testing.T) {
	in := []byte(`{"user":"bob","line":"a\"b","city":"Köln","tag":"x","n":[1]}`)
	var r Record
	if err := r.Unmarshal(in); err != nil {
		t.Fatal(err)
	}
	before := string(r.AppendJSON(nil))
	kept := r.Clone()
	for i := range in {
		in[i] = 'Z'
	}
	if after := string(r.AppendJSON(nil)); after != before {
		t.Fatalf("record changed with its input:\n%s\n%s", before, after)
	}
	value := &r.Extra[0].Value[0]
	if err := r.Unmarshal([]byte(`{"tag":"y","n":2}`)); err != nil {
		t.Fatal(err)
	}
	if &r.Extra[0].Value[0] != value {
		t.Error("Extra's storage was not reused")
	}
	if got := string(kept.AppendJSON(nil)); got != before {
		t.Errorf("Clone shares storage with the original:\n%s\n%s", got, before)
	}
	if err := r.Unmarshal([]byte(`{"user":"x","attempts":"1"}`)); err == nil {
		t.Fatal("no error")
	}
	if !reflect.DeepEqual(r, Record{Extra: r.Extra[:0]}) || r.Extra == nil {
		t.Errorf("record after an error: %+v", r)
	}
}

func TestUnmarshalManyExtras(t *testing.T) {
	// Enough unknown keys to switch to the index, with duplicates.
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&b, `"k%d":%d,`, i%40, i)
	}
	b.WriteString(`"user":"u"}`)
	compareWithEncodingJSON(t, []byte(b.String()))
	var r Record
	if err := r.Unmarshal([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	if len(r.Extra) != 40 || string(r.Extra[0].Value) != "80" || string(r.Extra[39].Value) != "79" {
		t.Errorf("got %d extras, first %s, last %s", len(r.Extra), r.Extra[0].Value, r.Extra[len(r.Extra)-1].Value)
	}
}

// TestStringsExhaustive compares strings of up to three bytes from a set
// chosen around the edges (quote, backslash, controls, DEL, UTF-8 lead and
// continuation bytes, surrogates encoded as UTF-8) with encoding/json, in
// a copied field, an interned one and an extra, both ways.
func TestStringsExhaustive(t *testing.T) {
	edges := []byte{0x00, 0x1f, ' ', '"', '\\', '/', 'u', 'd', '8', 0x7f, 0x80, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff}
	check := func(s []byte) {
		in := append([]byte(`{"user":"`), s...)
		in = append(append(in, `","city":"`...), s...)
		in = append(append(in, `","x":"`...), s...)
		compareWithEncodingJSON(t, append(in, `"}`...))
		r := Record{User: string(s), City: string(s)}
		checkEncoding(t, &r, r.AppendJSON(nil))
	}
	for _, a := range edges {
		check([]byte{a})
		for _, b := range edges {
			check([]byte{a, b})
			for _, c := range edges {
				check([]byte{a, b, c})
			}
		}
	}
	if t.Failed() {
		return
	}
	escapes := []string{`\u0000`, `\u0041`, `\u007f`, `\u00e9`, `\u2028`, `\u2029`, `\ud800`, `\udbff`, `\udc00`, `\udfff`, `\ufffd`, `\uffff`, `\u00`, `\uD83D`, `\uDE00`, `\"`, `\\`, `\/`, `\b`, `\u`, `x`, ``}
	for _, a := range escapes {
		for _, b := range escapes {
			for _, c := range escapes {
				check([]byte(a + b + c))
			}
		}
	}
}
