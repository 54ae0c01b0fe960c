package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailcop/mailcop/internal/record"
)

func TestEachRecord(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "parsed.jsonl")
	err := os.WriteFile(file, []byte(`{"event":"auth","ip":"203.0.113.5"}
not json
{"event":"ban","ip":"198.51.100.7"}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	stdin := strings.NewReader("{\"event\":\"auth\",\"user\":\"bob\"}\n\n{\"user\":1}\n")

	var seen, warned []string
	bad, err := EachRecord(context.Background(), []string{file, "-"}, stdin,
		RecordReading{Warn: func(se *record.SyntaxError) { warned = append(warned, fmt.Sprintf("%s:%d", se.File, se.Line)) }},
		func(r *record.Record, name string, line int) error {
			seen = append(seen, fmt.Sprintf("%s:%d %s", filepath.Base(name), line, r.Event))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	wantSeen := []string{"parsed.jsonl:1 auth", "parsed.jsonl:3 ban", "<stdin>:1 auth"}
	wantWarned := []string{file + ":2", "<stdin>:3"}
	if fmt.Sprint(seen) != fmt.Sprint(wantSeen) || fmt.Sprint(warned) != fmt.Sprint(wantWarned) || bad != 2 {
		t.Errorf("records %q, warnings %q, bad %d; want %q, %q, 2", seen, warned, bad, wantSeen, wantWarned)
	}
}

func TestEachRecordStops(t *testing.T) {
	lines := strings.Repeat("{\"event\":\"auth\"}\n", 3*checkEvery)
	stop := errors.New("stop")
	n := 0
	_, err := EachRecord(context.Background(), nil, strings.NewReader(lines), RecordReading{},
		func(*record.Record, string, int) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("fn's error: got %v after %d records, want stop after 10", err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = EachRecord(ctx, nil, strings.NewReader(lines), RecordReading{},
		func(*record.Record, string, int) error {
			if n++; n == 5 {
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) || n >= 2*checkEvery {
		t.Errorf("cancelled: got %v after %d records, want context.Canceled within %d", err, n, checkEvery)
	}
}

// -host keeps one server's records, and those that name no server.
func TestEachRecordHost(t *testing.T) {
	in := strings.NewReader(`{"host":"mx1","user":"a"}
{"host":"MX1","user":"b"}
{"host":"mx2","user":"c"}
{"user":"d"}
`)
	var users []string
	_, err := EachRecord(context.Background(), nil, in, RecordReading{Host: "mx1"},
		func(r *record.Record, _ string, _ int) error {
			users = append(users, r.User)
			return nil
		})
	if err != nil || strings.Join(users, ",") != "a,b,d" {
		t.Errorf("-host mx1 kept %q (%v), want a,b,d", users, err)
	}
}
