package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"testing"
)

func TestExit(t *testing.T) {
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{ErrReported, 1, ""},
		{fmt.Errorf("read x: %w", ErrReported), 1, ""},
		{errors.New("open db.mmdb: no such file or directory"), 1, "p: open db.mmdb: no such file or directory\n"},
		{Usagef("usage: p\n", "-top %s: not a number", "x"), 2, "p: -top x: not a number\nusage: p\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if code := Exit(NewPrefixWriter(&buf, "p: "), tt.err); code != tt.code {
			t.Errorf("Exit(%v) = %d, want %d", tt.err, code, tt.code)
		}
		if buf.String() != tt.stderr {
			t.Errorf("Exit(%v) wrote %q, want %q", tt.err, buf.String(), tt.stderr)
		}
	}
}

// Every line gets the prefix once, however it is split across writes.
func TestPrefixWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewPrefixWriter(&buf, "mailcop-x: ")
	for _, s := range []string{"a:1: bad\nb:2", ": worse\n", "warning: ", "w\n"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	want := "mailcop-x: a:1: bad\nmailcop-x: b:2: worse\nmailcop-x: warning: w\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestParseFlags(t *testing.T) {
	var out bytes.Buffer
	fs := flag.NewFlagSet("p", flag.ContinueOnError)
	fs.SetOutput(&out)
	fs.Int("top", 10, "")
	if err := ParseFlags(fs, "usage: p\n", []string{"-h"}); !errors.Is(err, flag.ErrHelp) || out.String() != "usage: p\n" {
		t.Errorf("-h: err %v, output %q", err, out.String())
	}
	var ue *UsageError
	if err := ParseFlags(fs, "usage: p\n", []string{"-top", "x"}); !errors.As(err, &ue) {
		t.Errorf("-top x: want a usage error, got %v", err)
	}
}
