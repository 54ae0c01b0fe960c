//go:build e2e

package daemons

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// debianRoot returns a debootstrap root of the suite with the daemons
// installed, made once and kept in MAILCOP_E2E_CACHE (make e2e's
// E2E_CACHE; default: the user's cache directory, mailcop-e2e). It is built
// beside its final name and renamed when complete, so an interrupted build
// is never reused.
func debianRoot(t *testing.T, suite string) string {
	t.Helper()
	cache := os.Getenv("MAILCOP_E2E_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(dir, "mailcop-e2e")
	}
	root := filepath.Join(cache, suite)
	if _, err := os.Stat(filepath.Join(root, "usr/sbin/dovecot")); err == nil {
		return root
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Fatalf("no %s root in %s and no debootstrap to make one (apt-get install debootstrap)", suite, cache)
	}
	tmp := root + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("making the %s root in %s (once)", suite, root)
	steps := [][]string{
		{"debootstrap", "--variant=minbase", suite, tmp, "http://deb.debian.org/debian"},
		// No package may start its daemon: the harness starts them.
		{"sh", "-c", `printf '#!/bin/sh\nexit 101\n' >"$0/usr/sbin/policy-rc.d" && chmod 755 "$0/usr/sbin/policy-rc.d"`, tmp},
		{"sh", "-c", `echo 'postfix postfix/main_mailer_type select No configuration' | chroot "$0" debconf-set-selections`, tmp},
		{"chroot", tmp, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "--no-install-recommends",
			"dovecot-imapd", "dovecot-pop3d", "postfix", "rsyslog"},
		{"chroot", tmp, "apt-get", "clean"},
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	if err := os.Rename(tmp, root); err != nil {
		t.Fatal(err)
	}
	return root
}
