package main

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime counts the CPU a process used as getrusage(2) does.
func TestCPUTime(t *testing.T) {
	rusage := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, ruBefore := cpuTime(os.Getpid()), rusage()
	for rusage()-ruBefore < 100*time.Millisecond {
	}
	used, ruUsed := cpuTime(os.Getpid())-before, rusage()-ruBefore
	if used < ruUsed*8/10 || used > ruUsed*12/10+20*time.Millisecond {
		t.Errorf("cpuTime counted %v where getrusage counted %v", used, ruUsed)
	}
	if rss := rssKiB(os.Getpid()); rss <= 0 {
		t.Errorf("resident set of %d KiB", rss)
	}
}

// The lines written are the generated log's, their stamps cut off to be
// written anew.
func TestLogBodies(t *testing.T) {
	bodies, err := logBodies()
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) < 1000 {
		t.Fatalf("%d lines from 2 MiB of log", len(bodies))
	}
	for _, b := range bodies[:100] {
		if !bytes.HasPrefix(b, []byte("mx1 ")) || !bytes.HasSuffix(b, []byte("\n")) {
			t.Fatalf("line %q: want the host first, the newline last", b)
		}
	}
}
