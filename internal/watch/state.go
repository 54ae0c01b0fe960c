package watch

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// The state is one NDJSON file, watch.ndjson in the state directory,
// readable with jq: a header line, then one object per line, each with
// its "type":
//
//	{"type":"watch","version":1,"saved":"...","now":"..."}
//	{"type":"history","user":"bob","first":"...","logins":41,"places":[{"country":"FR","asn":3215,"net":"192.0.2.0/24","clients":["imap"],...}]}
//	{"type":"failures","table":"addr","addr":"203.0.113.9","last":"...","attempts":40,"accounts":12,"guesses":4,...}
//	{"type":"alarm","account":"bob","ip":"203.0.113.9","time":"...","class":"brute","why":"..."}
//	{"type":"pending","alert":{...}}
//
// It is written to a temporary file, synced, then renamed over the old
// one (mode 0600): a crash leaves the old state or the new, never half
// of one. Only the failures that can still make a login alarming are
// saved (three attempts or more, or two accounts or more), so the file
// stays small whatever the attackers do.
const (
	StateFile    = "watch.ndjson"
	stateVersion = 1
)

type stateLine struct {
	Type string `json:"type"`

	// watch
	Version int       `json:"version,omitempty"`
	Saved   time.Time `json:"saved,omitzero"`
	Now     time.Time `json:"now,omitzero"`

	// history
	*History

	// failures
	Table    string    `json:"table,omitempty"`
	Addr     string    `json:"addr,omitempty"`
	Key      string    `json:"key,omitempty"`
	Last     time.Time `json:"last,omitzero"`
	Attempts uint32    `json:"attempts,omitempty"`
	Hashed   uint32    `json:"hashed,omitempty"`
	Who      []uint32  `json:"who,omitempty"`
	Pw       []uint32  `json:"pw,omitempty"`
	Accounts uint16    `json:"accounts,omitempty"`
	Guesses  uint16    `json:"guesses,omitempty"`
	Judged   time.Time `json:"judged,omitzero"` // the latest failure that was no give-up

	// alarm
	Account string    `json:"account,omitempty"`
	IP      string    `json:"ip,omitempty"`
	Place   string    `json:"place,omitempty"`
	Service string    `json:"service,omitempty"`
	Class   string    `json:"class,omitempty"`
	Why     string    `json:"why,omitempty"`
	Time    time.Time `json:"time,omitzero"`

	// pending
	Alert json.RawMessage `json:"alert,omitempty"`
}

// Save writes the engine's state, and the alerts not delivered yet, to
// dir/watch.ndjson, atomically.
func (e *Engine) Save(dir string, pending []json.RawMessage) error {
	path := filepath.Join(dir, StateFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	err = e.write(f, pending)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save state %s: %w", path, err)
	}
	// The rename itself must survive a power cut.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func (e *Engine) write(w io.Writer, pending []json.RawMessage) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	put := func(l *stateLine) {
		enc.Encode(l)
	}
	put(&stateLine{Type: "watch", Version: stateVersion, Saved: time.Now().UTC(), Now: e.now})
	users := make([]string, 0, len(e.hist.m))
	for u := range e.hist.m {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		put(&stateLine{Type: "history", History: e.hist.m[u]})
	}
	for _, t := range []struct {
		name string
		t    *failTable
	}{{"addr", e.addrs}, {"net", e.nets}} {
		for k, f := range t.t.m {
			if f.last < t.t.cutoff || f.attempts < 3 && f.nAccounts < 2 {
				continue
			}
			put(&stateLine{Type: "failures", Table: t.name, Key: strconv.FormatUint(uint64(k), 16),
				Addr: keyString(k, t.name == "net"), Last: time.Unix(int64(f.last), 0).UTC(), Attempts: f.attempts,
				Hashed: f.hashed, Who: trimZeros(f.who[:]), Pw: trimZeros(f.pw[:]), Accounts: f.nAccounts, Guesses: f.nPw, Judged: unixTime(f.judged)})
		}
	}
	for k, c := range e.userAS.m {
		if c.last >= e.userAS.cutoff {
			put(&stateLine{Type: "failures", Table: "account_as", Key: strconv.FormatUint(uint64(k), 16),
				Last: time.Unix(int64(c.last), 0).UTC(), Attempts: c.attempts})
		}
	}
	for _, a := range e.journal.m {
		put(&stateLine{Type: "alarm", Account: a.User, IP: a.IP, Time: a.Time, Place: a.Country, Service: a.Service,
			Class: a.Class, Why: a.Why})
	}
	for _, p := range pending {
		put(&stateLine{Type: "pending", Alert: p})
	}
	return bw.Flush()
}

func trimZeros(v []uint32) []uint32 {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}

// keyString shows an address table's key as the address or network it
// stands for, for people reading the state with jq.
func keyString(k key, isNet bool) string {
	var a netip.Addr
	if k>>32 == 1 {
		a = netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)})
	} else {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], uint64(k))
		a = netip.AddrFrom16(b)
	}
	switch {
	case isNet:
		return netString(a)
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Load reads dir/watch.ndjson into the engine, and returns the alerts it
// held that were not delivered. A missing file is an empty state
// (ok false). A line it cannot use is reported through warn with its
// position, and skipped: one damaged line must not blind the watch.
func (e *Engine) Load(dir string, warn func(error)) (pending []json.RawMessage, ok bool, err error) {
	path := filepath.Join(dir, StateFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var l stateLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			warn(fmt.Errorf("%s:%d: %v", path, n, err))
			continue
		}
		if err := e.loadLine(&l, &pending); err != nil {
			warn(fmt.Errorf("%s:%d: %v", path, n, err))
		}
	}
	if err := sc.Err(); err != nil {
		return pending, true, fmt.Errorf("read state %s:%d: %w", path, n+1, err)
	}
	return pending, true, nil
}

func (e *Engine) loadLine(l *stateLine, pending *[]json.RawMessage) error {
	switch l.Type {
	case "watch":
		if l.Version != stateVersion {
			return fmt.Errorf("state version %d: want %d", l.Version, stateVersion)
		}
		if l.Now.After(e.now) {
			e.now = l.Now
			e.swept = l.Now
		}
	case "history":
		if l.History == nil || l.User == "" {
			return errors.New("history without a user")
		}
		h := *l.History
		if len(e.hist.m) < e.hist.max {
			e.hist.m[h.User] = &h
		}
	case "failures":
		raw, err := strconv.ParseUint(l.Key, 16, 64)
		if err != nil {
			return errors.New("failures: bad key")
		}
		last := uint32(max(l.Last.Unix(), 0))
		var t *failTable
		switch l.Table {
		case "addr":
			t = e.addrs
		case "net":
			t = e.nets
		case "account_as":
			if len(e.userAS.m) < e.userAS.max {
				e.userAS.m[key(raw)] = counter{last: last, attempts: l.Attempts}
			}
			return nil
		default:
			return fmt.Errorf("failures: unknown table %q", l.Table)
		}
		f := fails{last: last, attempts: l.Attempts, hashed: l.Hashed, nAccounts: l.Accounts, nPw: l.Guesses}
		if !l.Judged.IsZero() {
			f.judged = uint32(max(l.Judged.Unix(), 0))
		}
		copy(f.who[:], l.Who)
		copy(f.pw[:], l.Pw)
		if len(t.m) < t.max {
			t.m[key(raw)] = f
		}
	case "alarm":
		if l.Account == "" {
			return errors.New("alarm without an account")
		}
		e.NoteAlarm(Alarm{User: l.Account, IP: l.IP, Time: l.Time, Country: l.Place, Service: l.Service,
			Class: l.Class, Why: l.Why})
	case "pending":
		if len(l.Alert) > 0 {
			*pending = append(*pending, l.Alert)
		}
	default:
		return fmt.Errorf("unknown type %q", l.Type)
	}
	return nil
}

// Lock takes dir/watch.lock, so that two watches never share a state;
// the kernel releases it when the process ends, however it ends.
func Lock(dir string) (*os.File, error) {
	path := filepath.Join(dir, "watch.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: another mailcop-report -alert uses this state (%w)", path, err)
	}
	return f, nil
}

// unixTime is a table's time as saved: zero stays zero.
func unixTime(t uint32) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}
