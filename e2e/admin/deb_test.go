//go:build e2e

package admin

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailcop/mailcop/internal/loggen"
)

// The package on the real system, as an admin meets it: dpkg -i, the
// daily mail from the installed cron job, mailcop from /usr/bin, an
// upgrade that keeps the admin's settings, dpkg -r that leaves only them
// and dpkg -P that leaves nothing. It installs into this machine, so it
// runs only when MAILCOP_E2E_SYSTEM=1 asks (make e2e-deb) and as root,
// and it purges the package whatever happens.
func TestDeb(t *testing.T) {
	if os.Getenv("MAILCOP_E2E_SYSTEM") != "1" {
		t.Skip("installs into this system: set MAILCOP_E2E_SYSTEM=1 (make e2e-deb) on a machine you can spare")
	}
	if os.Geteuid() != 0 {
		t.Fatal("MAILCOP_E2E_SYSTEM=1, but dpkg -i needs root")
	}
	dpkg := need(t, "dpkg", "dpkg")
	need(t, "dpkg-deb", "dpkg")
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${db:Status-Status}", "mailcop").Output(); err == nil && len(out) > 0 && string(out) != "not-installed" {
		t.Fatalf("a mailcop package is already on this system (%s): not touching it", out)
	}
	arch := strings.TrimSpace(string(run(t, nil, dpkg, "--print-architecture")))
	debs, _ := filepath.Glob(filepath.Join(repo, "bin", "deb", "mailcop_*_"+arch+".deb"))
	if len(debs) != 1 {
		t.Fatalf("want one package bin/deb/mailcop_*_%s.deb (make deb), found %v", arch, debs)
	}
	deb := debs[0]
	version := strings.TrimSpace(string(run(t, nil, "dpkg-deb", "-f", deb, "Version")))

	t.Run("lintian", func(t *testing.T) {
		lintian := need(t, "lintian", "lintian")
		// Errors and warnings fail; every override the package carries
		// says why (packaging/deb/lintian-overrides).
		out := run(t, nil, lintian, "--fail-on", "error,warning", "--pedantic", deb)
		for _, l := range strings.Split(string(out), "\n") {
			if l != "" && !strings.HasPrefix(l, "running with root") {
				t.Errorf("lintian: %s", l)
			}
		}
	})

	// What the package ships, and which of those paths this system had
	// before: a purge must leave exactly those.
	var shipped []string
	for _, l := range strings.Split(strings.TrimSpace(string(run(t, nil, "sh", "-c", `dpkg-deb --fsys-tarfile "$1" | tar -t`, "sh", deb))), "\n") {
		p := strings.TrimSuffix(strings.TrimPrefix(l, "."), "/")
		if p != "" {
			shipped = append(shipped, p)
		}
	}
	before := map[string]bool{}
	for _, p := range shipped {
		if _, err := os.Lstat(p); err == nil {
			before[p] = true
		}
	}
	for _, p := range []string{"/usr/bin/mailcop-parse", "/etc/default/mailcop", "/var/lib/mailcop"} {
		if before[p] {
			t.Fatalf("%s exists before the package is installed: not touching this system", p)
		}
	}
	t.Cleanup(func() {
		exec.Command(dpkg, "-P", "mailcop").Run()
	})

	dpkgRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command(dpkg, args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdin = nil // a conffile question would fail, not wait
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	status := func() string {
		out, _ := exec.Command("dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Version}", "mailcop").Output()
		return strings.TrimSpace(string(out))
	}

	// Install.
	dpkgRun("-i", deb)
	if got := status(); got != "ii "+version {
		t.Fatalf("after dpkg -i: %q, want installed %s", got, version)
	}
	for _, p := range []string{
		"/usr/bin/mailcop", "/usr/bin/mailcop-tail", "/usr/bin/mailcop-parse", "/usr/bin/mailcop-geo",
		"/usr/bin/mailcop-count", "/usr/bin/mailcop-report", "/usr/share/man/man1/mailcop.1.gz",
		"/usr/share/man/man1/mailcop-report.1.gz", "/etc/cron.daily/mailcop", "/etc/default/mailcop",
		"/etc/fail2ban/filter.d/mailcop.conf", "/etc/fail2ban/jail.d/mailcop.conf", "/etc/logrotate.d/mailcop",
		"/var/lib/mailcop", "/var/log/mailcop",
	} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("installed: %v", err)
		}
	}
	conffiles := string(run(t, nil, "dpkg-query", "-W", "-f", "${Conffiles}", "mailcop"))
	for _, c := range []string{"/etc/cron.daily/mailcop", "/etc/default/mailcop", "/etc/fail2ban/jail.d/mailcop.conf"} {
		if !strings.Contains(conffiles, " "+c+" ") {
			t.Errorf("%s is not a conffile: %q", c, conffiles)
		}
	}
	// logrotate takes the installed rule (-d: checks it, rotates nothing).
	if lr, err := exec.LookPath("logrotate"); err == nil {
		run(t, nil, lr, "-d", "-s", filepath.Join(t.TempDir(), "logrotate.state"), "/etc/logrotate.d/mailcop")
	}
	copyright := readFile(t, "/usr/share/doc/mailcop/copyright")
	if !strings.Contains(copyright, "IP2Location LITE") || !strings.Contains(copyright, "License: CC-BY-SA-4.0") {
		t.Errorf("the copyright file does not name the IP2Location LITE data's licence")
	}
	// mailcop's own licence is the tree's: none stated while the tree has
	// no licence file, and then never a claim of one.
	stated, _ := filepath.Glob(filepath.Join(repo, "LICEN[CS]E*"))
	copying, _ := filepath.Glob(filepath.Join(repo, "COPYING*"))
	noneStated := strings.Contains(copyright, "\nFiles: *\nCopyright: the mailcop authors\nLicense: none-stated\n")
	switch files := append(stated, copying...); {
	case len(files) == 0 && !noneStated:
		t.Errorf("the tree has no licence file, but the copyright file's mailcop paragraph is not \"License: none-stated\":\n%s", copyright)
	case len(files) > 0 && noneStated:
		t.Errorf("the tree has %v, but the copyright file says mailcop states no licence: name it in packaging/deb/copyright.in", files)
	}
	// Built for this version: the version is linked in.
	if exe, err := os.ReadFile("/usr/bin/mailcop-geo"); err != nil || !bytes.Contains(exe, []byte(version)) {
		t.Errorf("/usr/bin/mailcop-geo (its User-Agent) does not hold its version %s (%v)", version, err)
	}

	// The watch service's units, when the package has them: the admin
	// enables them (systemctl makes the links even where systemd is not
	// running), and the purge must take the links away too.
	units, _ := filepath.Glob("/lib/systemd/system/mailcop*")
	if len(units) == 0 {
		t.Error("the package ships no systemd unit")
	}
	if len(units) > 0 {
		// Installed, each unit is one systemd accepts, its programs and
		// man pages where it says.
		out, err := exec.Command(need(t, "systemd-analyze", "systemd"), append([]string{"verify"}, units...)...).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify %v: %v\n%s", units, err, out)
		}
	}
	for _, u := range units {
		run(t, nil, need(t, "systemctl", "systemd"), "enable", filepath.Base(u))
		if links, _ := filepath.Glob("/etc/systemd/system/*/" + filepath.Base(u)); len(links) == 0 {
			t.Errorf("%s enabled, but no link to it", u)
		}
	}

	// mailcop from /usr/bin, finding its stages there: the tree's bin is
	// not on this PATH.
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TZ=UTC", "MAILCOP_CONFIG=/etc/default/mailcop"}
	sample := filepath.Join(repo, "testdata", "sample", "mail.log")
	ips := runEnv(t, env, "/usr/bin/mailcop", "ips", "-log", sample, "-year", "2026", "-since", "2026-11-25")
	if lines := strings.Split(strings.TrimSpace(ips), "\n"); !strings.HasPrefix(lines[len(lines)-1], "45.155.205.233 ") ||
		!strings.Contains(lines[len(lines)-1], " 30 ") {
		t.Errorf("mailcop ips: the loudest address last with its 30 attempts, got:\n%s", ips)
	}

	// The daily mail: the installed cron job, configured in the
	// installed /etc/default/mailcop, over a log of the last hour, sends
	// with a stand-in sendmail.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mailLog := filepath.Join(dir, "mail.log")
	f, err := os.Create(mailLog)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := loggen.Generate(f, loggen.Config{Size: 512 << 10, Seed: 3, Format: loggen.Syslog, Start: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)})
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		t.Fatal(err)
	}
	sendmail := filepath.Join(dir, "sendmail")
	writeFiles(t, dir, map[string]string{"sendmail": "#!/bin/sh\n# stands in for sendmail -t -oi: keeps the message\ncat >\"" + filepath.Join(dir, "sent.eml") + "\"\n"})
	if err := os.Chmod(sendmail, 0o755); err != nil {
		t.Fatal(err)
	}
	edit := "\n# Set by the admin.\nMAILCOP_TO=\"postmaster@example.com\"\nMAILCOP_LOGS=\"" + mailLog + "\"\nMAILCOP_SENDMAIL=\"" + sendmail + "\"\n"
	appendFile(t, "/etc/default/mailcop", edit)
	edited := readFile(t, "/etc/default/mailcop")
	runEnv(t, []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TZ=UTC"}, "/etc/cron.daily/mailcop")
	mail := readFile(t, filepath.Join(dir, "sent.eml"))
	if want := fmt.Sprintf("Subject: [mailcop] mx1: %d failed attempts", truth.Failures); !strings.Contains(mail, want) || truth.Failures < 50 {
		t.Errorf("the daily mail lacks %q:\n%.600s", want, mail)
	}
	if !strings.Contains(mail, "To: <postmaster@example.com>") {
		t.Errorf("the daily mail is not to postmaster@example.com:\n%.400s", mail)
	}
	for _, p := range []string{"/var/lib/mailcop/tail.state", "/var/lib/mailcop/last-report.eml"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("after the cron job: %v", err)
		}
	}

	// An upgrade keeps the admin's edit without asking.
	next := t.TempDir()
	build := exec.Command("sh", "packaging/deb/build.sh", next)
	build.Dir = repo
	build.Env = append(os.Environ(), "DEB_VERSION="+version+"+upgrade1", "DEB_ARCH="+arch)
	var buildErr bytes.Buffer
	build.Stderr = &buildErr
	newDeb, err := build.Output()
	if err != nil {
		t.Fatalf("building the upgrade: %v\n%s", err, buildErr.String())
	}
	dpkgRun("-i", strings.TrimSpace(string(newDeb)))
	if got := status(); got != "ii "+version+"+upgrade1" {
		t.Fatalf("after the upgrade: %q, want installed %s+upgrade1", got, version)
	}
	if got := readFile(t, "/etc/default/mailcop"); got != edited {
		t.Errorf("the upgrade lost the admin's edit of /etc/default/mailcop:\n%s", got)
	}

	// dpkg -r: the programs go, the admin's settings and the state stay;
	// the cron job left behind does nothing, quietly.
	dpkgRun("-r", "mailcop")
	if got := status(); !strings.HasPrefix(got, "rc") {
		t.Errorf("after dpkg -r: %q, want rc (config-files)", got)
	}
	for _, p := range []string{"/usr/bin/mailcop", "/usr/bin/mailcop-parse", "/usr/share/man/man1/mailcop.1.gz"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("after dpkg -r: %s is still there", p)
		}
	}
	if got := readFile(t, "/etc/default/mailcop"); got != edited {
		t.Errorf("after dpkg -r: /etc/default/mailcop is not the admin's")
	}
	if out := runEnv(t, []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "/etc/cron.daily/mailcop"); out != "" {
		t.Errorf("the cron job without mailcop printed %q", out)
	}

	// dpkg -P: nothing left that the package or mailcop put there.
	dpkgRun("-P", "mailcop")
	if got := status(); got != "" && !strings.HasPrefix(got, "un") {
		t.Errorf("after dpkg -P: %q, want the package unknown", got)
	}
	left, _ := filepath.Glob("/etc/systemd/system/*/mailcop*")
	state, _ := filepath.Glob("/var/lib/systemd/deb-systemd-helper-enabled/*mailcop*")
	for _, p := range append(append(append(shipped, "/var/lib/mailcop", "/var/log/mailcop"), left...), state...) {
		if _, err := os.Lstat(p); err == nil && !before[p] {
			t.Errorf("after dpkg -P: %s is still there", p)
		}
	}
}

// runEnv runs a command with exactly env and returns its stdout; stderr
// must be empty.
func runEnv(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil || errs.Len() > 0 {
		t.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errs.String())
	}
	return out.String()
}
