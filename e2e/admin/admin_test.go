//go:build e2e

// Package admin tests mailcop inside the admin's world with the real
// programs of Debian 12: the package installed with dpkg, fail2ban
// banning on mailcop's counts, and rsyslog carrying several servers' logs
// to one host. The binaries under test are the tree's (make build); the
// Debian programs must be installed (.ci/run installs them). Run with
// make e2e-admin; the package test, which installs into the system, runs
// only when MAILCOP_E2E_SYSTEM=1 asks for it (make e2e-deb).
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// repo is the checkout's root, from this package's directory.
var repo = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// bin is the tree's build of a mailcop binary; make build writes them.
func bin(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(repo, "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s not built: run make build first (%v)", name, err)
	}
	return p
}

// need fails the test when a Debian program it drives is missing: these
// tests are about the real programs, a stand-in would prove nothing.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s not found: apt-get install %s", prog, pkg)
	}
	return p
}

// run runs a command to completion within a minute and returns its
// stdout; a failure ends the test with its stderr.
func run(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errs.String())
	}
	return out.Bytes()
}

// records decodes mailcop's NDJSON output.
func records(t *testing.T, ndjson []byte) []*record.Record {
	t.Helper()
	var rs []*record.Record
	rd := record.NewReader(bytes.NewReader(ndjson), "output")
	for rd.Scan() {
		r := *rd.Record()
		rs = append(rs, &r)
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return rs
}

// rows decodes mailcop-count's NDJSON groups into maps.
func rows(t *testing.T, ndjson []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(ndjson), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// waitFor polls cond every 100 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
