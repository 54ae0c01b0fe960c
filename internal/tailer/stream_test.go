package tailer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// countingWriter counts the writes that reach it: one per pass that
// found lines, since the follower flushes after each.
type countingWriter struct {
	mu     sync.Mutex
	writes int
	buf    bytes.Buffer
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	return c.buf.Write(p)
}

func (c *countingWriter) state() (writes, lines int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes, bytes.Count(c.buf.Bytes(), []byte("\n"))
}

// Lines written one by one, 2 ms apart, are read in passes every
// passGap, not one pass (and one wake-up of every stage after) per
// line; and none is lost.
func TestFollowStreamInPasses(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := &countingWriter{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"-f", p}, nil, out, io.Discard) }()
	time.Sleep(200 * time.Millisecond) // the follower is watching

	const n = 250
	for i := range n {
		fmt.Fprintf(f, "Nov 26 06:25:01 mx1 postfix/smtpd[4242]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: %d\n", i)
		time.Sleep(2 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, lines := out.state(); lines == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	writes, lines := out.state()
	if lines != n {
		t.Fatalf("%d lines out of %d written", lines, n)
	}
	// 250 lines over at least half a second: about 25 passes at passGap.
	if writes > n/3 {
		t.Errorf("%d writes for %d lines written 2 ms apart: a pass per line or so", writes, n)
	}
}

// A log written at 100 lines a second, syslog's pace on a busy mail
// server, is read in passes passGap apart: a dozen lines at most wait
// together, and each pass wakes the stages after it once.
func TestFollowStreamPassGap(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := &countingWriter{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"-f", p}, nil, out, io.Discard) }()
	time.Sleep(200 * time.Millisecond) // the follower is watching

	const n = 150 // 1.5 s
	start := time.Now()
	for i := range n {
		fmt.Fprintf(f, "Nov 26 06:25:01 mx1 dovecot: imap-login: Disconnected: auth failed, 1 attempts (auth failed, 1 attempts in 2 secs): user=<u%d>, method=PLAIN, rip=203.0.113.5\n", i)
		time.Sleep(time.Until(start.Add(time.Duration(i+1) * 10 * time.Millisecond)))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, lines := out.state(); lines == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	writes, lines := out.state()
	if lines != n {
		t.Fatalf("%d lines out of %d written", lines, n)
	}
	// One write per pass: 50 ms apart at least, 30 in 1.5 s, and a few
	// more for the start of the stream. 25 ms apart made 60.
	if most := int(elapsed/(50*time.Millisecond)) + 8; writes > most {
		t.Errorf("%d writes for %d lines 10 ms apart in %v; want at most %d, a pass per 50 ms", writes, n, elapsed.Round(time.Millisecond), most)
	}
}
