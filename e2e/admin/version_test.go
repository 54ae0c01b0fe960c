//go:build e2e

package admin

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The package's version from git (packaging/deb/version.sh), on a
// repository of its own: valid for dpkg, and each later state of the
// tree a greater version, so that installing it upgrades.
func TestDebVersion(t *testing.T) {
	need(t, "git", "git")
	dpkg := need(t, "dpkg", "dpkg")
	dir := t.TempDir()
	script := filepath.Join(repo, "packaging", "deb", "version.sh")
	when := "2026-11-25T10:00:00Z"
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	commit := func(date string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte(date), 0o644); err != nil {
			t.Fatal(err)
		}
		when = date
		git("add", "f")
		git("-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", date)
	}
	version := func() string {
		t.Helper()
		cmd := exec.Command("sh", script)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("version.sh: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	commit("2026-11-25T10:00:00Z")
	var got []string
	check := func(pattern string) {
		t.Helper()
		v := version()
		if !regexp.MustCompile(`^` + pattern + `$`).MatchString(v) {
			t.Errorf("version %q, want %s", v, pattern)
		}
		got = append(got, v)
	}
	check(`0\.0~git20261125100000\.[0-9a-f]{7}`) // no tag yet
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	check(`0\.0~git20261125100000\.[0-9a-f]{7}\+dirty`)
	git("checkout", "-q", "f")
	git("tag", "v1.2")
	check(`1\.2`)
	commit("2026-11-26T10:00:00Z")
	commit("2026-11-27T10:00:00Z")
	check(`1\.2\+git2\.[0-9a-f]{7}`)
	git("tag", "v1.10")
	git("tag", "nightly") // not a version tag: ignored
	check(`1\.10`)
	// Each is a valid version, and the order is the tree's.
	order := []string{got[0], got[1], got[2], got[3], got[4]}
	for i := 1; i < len(order); i++ {
		if out, err := exec.Command(dpkg, "--compare-versions", order[i-1], "lt", order[i]).CombinedOutput(); err != nil {
			t.Errorf("dpkg: %s is not below %s (%v %s)", order[i-1], order[i], err, out)
		}
	}
}
