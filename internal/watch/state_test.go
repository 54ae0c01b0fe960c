package watch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A damaged line of the state is named with its position and skipped: one
// bad line must not blind the watch, nor lose the rest.
func TestLoadDamagedState(t *testing.T) {
	dir := t.TempDir()
	state := `{"type":"watch","version":1,"now":"2026-11-25T10:00:00Z"}
{"type":"history","user":"bob","first":"2026-11-01T10:00:00Z","logins":12,"places":[{"country":"FR","first":"2026-11-01T10:00:00Z","last":"2026-11-25T09:00:00Z","logins":12}]}
{"type":"history","user":
{"type":"failures","table":"addr","key":"1cb007109","last":"2026-11-25T09:59:00Z","attempts":9,"who":[1],"accounts":1}
{"type":"mystery"}
{"type":"alarm","account":"bob","ip":"203.0.113.9","time":"2026-11-25T09:00:00Z"}
{"type":"pending","alert":{"user":"bob"}}
`
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	e := New(Defaults())
	var warnings []string
	pending, ok, err := e.Load(dir, func(err error) { warnings = append(warnings, err.Error()) })
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], StateFile+":3: ") || !strings.Contains(warnings[1], StateFile+`:5: unknown type "mystery"`) {
		t.Errorf("warnings %q", warnings)
	}
	if h := e.hist.get("bob"); h == nil || h.Logins != 12 {
		t.Error("the history before the damaged line is lost")
	}
	if e.addrs.get(addrKey(mustAddr("203.0.113.9"))) == nil {
		t.Error("the failures after the damaged line are lost")
	}
	if len(pending) != 1 || !json.Valid(pending[0]) {
		t.Errorf("pending %q", pending)
	}
	if !e.Quiet("bob", "203.0.113.9", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), 0) {
		t.Error("the alarm journal is lost")
	}
}

func TestSaveIsPrivateAndAtomic(t *testing.T) {
	dir := t.TempDir()
	e := New(Defaults())
	e.Add(&Event{Time: t0, Success: true, User: "bob", IP: "192.0.2.1", Country: "FR"})
	// A planted symlink in place of the temporary file is not followed.
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("keep"), 0o644)
	os.Symlink(victim, filepath.Join(dir, StateFile+".tmp"))
	if err := e.Save(dir, nil); err == nil {
		t.Error("saved through a symlink")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Error("the symlink's target was written")
	}
	os.Remove(filepath.Join(dir, StateFile+".tmp"))
	if err := e.Save(dir, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, StateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("state mode %v, %v", st.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, StateFile+".tmp")); !os.IsNotExist(err) {
		t.Error("the temporary file is left")
	}
}

// FuzzLoad: no state file, however damaged, crashes the watch.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"type":"watch","version":1}` + "\n" + `{"type":"history","user":"bob","places":[{"country":"FR"}]}`))
	f.Add([]byte(`{"type":"failures","table":"net","key":"ffffffffffffffff","who":[1,2,3,4,5,6]}`))
	f.Add([]byte(`{"type":"alarm","account":"x","time":"0001-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, StateFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		e := New(Defaults())
		e.Load(dir, func(error) {})
		e.Add(&Event{Time: t0, User: "bob", IP: "203.0.113.9", Attempts: 3})
		e.Add(&Event{Time: t0.Add(time.Minute), Success: true, User: "bob", IP: "203.0.113.9", Country: "CN"})
		if err := e.Save(dir, nil); err != nil {
			t.Fatal(err)
		}
	})
}
