package record

import (
	"reflect"
	"testing"
)

func TestGet(t *testing.T) {
	var r Record
	in := `{"user":"bob","ip":"","attempts":3,"pid":0,"tag":"a\"b","n":[1, 2],"z":null,"s":"\u00e9"}`
	if err := r.Unmarshal([]byte(in)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want string
		ok   bool
	}{
		{"user", "bob", true},
		{"ip", "", false},
		{"country", "", false},
		{"attempts", "3", true},
		{"pid", "", false},
		{"asn", "", false},
		{"tag", `a"b`, true},
		{"n", "[1, 2]", true},
		{"s", "é", true},
		{"z", "", false},
		{"missing", "", false},
		{"User", "", false},
	}
	for _, tt := range tests {
		got, ok := r.Get(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClone(t *testing.T) {
	var r Record
	if err := r.Unmarshal([]byte(`{"user":"bob","attempts":2,"tag":"x","n":[1]}`)); err != nil {
		t.Fatal(err)
	}
	c := r.Clone()
	if !reflect.DeepEqual(*c, r) {
		t.Fatalf("clone %+v\nof    %+v", *c, r)
	}
	if err := r.Unmarshal([]byte(`{"tag":"y","n":[2]}`)); err != nil {
		t.Fatal(err)
	}
	if got := string(c.AppendJSON(nil)); got != `{"user":"bob","attempts":2,"tag":"x","n":[1]}` {
		t.Errorf("clone changed with the original: %s", got)
	}
	if (&Record{}).Clone().Extra != nil {
		t.Error("clone of a record without extras has extras")
	}
}
