package tailer

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// Two events as dovecot 2.3.19's http-post driver posted them.
const (
	eventPassdb   = `{"event":"auth_passdb_request_finished","hostname":"mx1","start_time":"2026-12-04T14:29:50.174326Z","end_time":"2026-12-04T14:29:50.176645Z","categories":["service:auth","auth"],"fields":{"mechanism":"PLAIN","service":"imap","session":"uXtstc9hQJzLAHEH","remote_ip":"203.0.113.7","user":"joe@example.com","result":"password_mismatch","passdb":"passwd-file"}}`
	eventFinished = `{"event":"auth_request_finished","hostname":"mx1","start_time":"2026-12-04T14:29:50.174218Z","end_time":"2026-12-04T14:29:50.177390Z","categories":["service:auth","auth"],"fields":{"mechanism":"PLAIN","service":"imap","session":"uXtstc9hQJzLAHEH","remote_ip":"203.0.113.7","user":"joe@example.com","policy_result":"ok"}}`
)

// syncBuffer is a bytes.Buffer the receiver writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startListen runs mailcop-tail -listen addr until the returned stop is
// called, which returns Run's error.
func startListen(t *testing.T, addr string) (net.Addr, *syncBuffer, *syncBuffer, func() error) {
	t.Helper()
	got := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(withHooks(context.Background(), hooks{listening: func(a net.Addr) { got <- a }}))
	out, errs := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"-listen", addr}, nil, out, errs) }()
	var a net.Addr
	select {
	case a = <-got:
	case err := <-done:
		t.Fatalf("-listen %s: %v: %s", addr, err, errs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("not listening after 10 s")
	}
	return a, out, errs, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("not stopped 10 s after the signal")
			return nil
		}
	}
}

// listenedLines decodes the records written, checking that each is a line record
// of the receiver's address.
func listenedLines(t *testing.T, out, file string) []string {
	t.Helper()
	var got []string
	rd := record.NewReader(strings.NewReader(out), "out")
	for rd.Scan() {
		r := rd.Record()
		if r.File != file {
			t.Errorf("file %q, want %q", r.File, file)
		}
		got = append(got, r.Line)
	}
	if rd.Bad() > 0 {
		t.Errorf("%d bad records", rd.Bad())
	}
	return got
}

// 2.3's http-post driver: each POST is an event; the records leave at
// once, each as a line of the listening address.
func TestListenHTTP(t *testing.T) {
	addr, out, errs, stop := startListen(t, "http://127.0.0.1:0/events")
	url := "http://" + addr.String() + "/events"
	for _, body := range []string{eventPassdb, eventFinished + "\n", "\n"} {
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("POST: %s", resp.Status)
		}
	}
	// Records are flushed before the answer: they are there now.
	if got := listenedLines(t, out.String(), "http://127.0.0.1:0/events"); strings.Join(got, "\n") != eventPassdb+"\n"+eventFinished {
		t.Errorf("records:\n%s", out.String())
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %s", resp.Status)
	}
	resp, err = http.Post(url, "application/json", strings.NewReader(strings.Repeat("x", record.MaxLine+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(errs.String(), "skipped") {
		t.Errorf("a body over %d bytes: %s, stderr %q", record.MaxLine, resp.Status, errs.String())
	}
	if err := stop(); err != nil {
		t.Errorf("stopped: %v", err)
	}
}

// 2.4's unix driver connects and writes one event a line; several
// connections at once, lines never mixed.
func TestListenUnix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.sock")
	_, out, _, stop := startListen(t, "unix:"+path)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for range 50 {
				if _, err := c.Write([]byte(eventFinished + "\n")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < 150 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := listenedLines(t, out.String(), "unix:"+path)
	if len(got) != 150 {
		t.Errorf("%d records, want 150", len(got))
	}
	for _, l := range got {
		if l != eventFinished {
			t.Errorf("mixed line %q", l)
			break
		}
	}
	if err := stop(); err != nil {
		t.Errorf("stopped: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
}

// The events are not authenticated: only loopback addresses, and no
// other input with them.
func TestListenUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-listen", "http://0.0.0.0:8514/"},
		{"-listen", "http://192.0.2.1:8514/"},
		{"-listen", "http://mail.example.com:8514/"},
		{"-listen", "http://127.0.0.1/"},
		{"-listen", "tcp://127.0.0.1:8514"},
		{"-listen", "unix:"},
		{"-listen", "http://127.0.0.1:8514/", "-f"},
		{"-listen", "http://127.0.0.1:8514/", "/var/log/mail.log"},
		{"-listen", "unix:/run/x.sock", "-journal"},
	} {
		var out, errs bytes.Buffer
		err := Run(context.Background(), args, nil, &out, &errs)
		if err == nil || !strings.Contains(err.Error(), "-listen") {
			t.Errorf("%q: %v", args, err)
		}
	}
}

// An event over 1 MiB on the socket is skipped and named; the next one
// on the same connection is read.
func TestListenUnixLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.sock")
	_, out, errs, stop := startListen(t, "unix:"+path)
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	long := `{"event":"auth_request_finished","fields":{"user":"` + strings.Repeat("x", record.MaxLine) + `"}}`
	if _, err := c.Write([]byte(long + "\n" + eventFinished + "\n")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Errorf("stopped: %v", err)
	}
	if got := listenedLines(t, out.String(), "unix:"+path); len(got) != 1 || got[0] != eventFinished {
		t.Errorf("%d records, want the short event alone", len(got))
	}
	if !strings.Contains(errs.String(), "longer than") {
		t.Errorf("stderr %q", errs.String())
	}
}
