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
