//go:build e2e

package daemons

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// accounts are the mailboxes that exist, in dovecot's passwd-file.
var accounts = map[string]string{
	"alice@example.test": "Tr0ub4dor&3",
	"bob@example.test":   "correct-horse-battery",
	"carol@example.test": "s3cret!Carol",
	"dave@example.test":  "dave-2026-spring",
	"info@example.test":  "inf0-desk",
}

// server is one set of daemons (rsyslog, dovecot, postfix) of one Debian
// release, running in a private mount namespace: there, /dev is a fresh
// tmpfs, so rsyslog's /dev/log is the harness's own and no other syslog on
// the machine is touched. Debian 13's daemons also run chrooted in a
// debootstrap root.
type server struct {
	debian int    // 12 or 13
	root   string // "/" or the debootstrap root
	dir    string // work directory as the daemons see it
	host   string // the same directory as the harness sees it
	ports  ports
}

// mailLog is the mail log rsyslog writes, seen from the harness.
func (s *server) mailLog() string { return filepath.Join(s.host, "log", "mail.log") }

func newServer(t *testing.T, c combination, root string) *server {
	t.Helper()
	tmp := filepath.Join(root, "tmp")
	if root == "/" {
		tmp = os.TempDir()
	}
	host, err := os.MkdirTemp(tmp, "mailcop-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	// The daemons' unprivileged users must reach their sockets and homes.
	if err := os.Chmod(host, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Rel(root, host)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{debian: c.debian, root: root, dir: "/" + dir, host: host, ports: portsFor(c.index)}
	t.Cleanup(func() { os.RemoveAll(host) })
	for _, d := range []string{"run", "lib/dovecot", "lib/rsyslog", "log", "home", "postfix/queue", "postfix/data", "postfix/conf"} {
		if err := os.MkdirAll(filepath.Join(host, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	nobody := 65534
	if err := os.Chown(filepath.Join(host, "home"), nobody, nobody); err != nil {
		t.Fatal(err)
	}
	var users strings.Builder
	for _, u := range sortedKeys(accounts) {
		fmt.Fprintf(&users, "%s:{PLAIN}%s::::::\n", u, accounts[u])
	}
	major := 23
	if c.debian >= 13 {
		major = 24
	}
	files := map[string]string{
		"users":                  users.String(),
		"dovecot.conf":           dovecotConfig(major, s.dir, s.ports, c.verbose, c.exporter(s)),
		"rsyslog.conf":           rsyslogConfig(c.debian, s.dir),
		"postfix/conf/main.cf":   postfixMain(s.dir),
		"postfix/conf/master.cf": postfixMaster(s.ports),
		"launch.sh":              launchScript(s.dir),
		"namespace.sh":           namespaceScript(root, s.dir),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(host, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// namespaceScript runs in a private mount namespace: it gives the daemons a
// /dev of their own (the few device nodes they open, bound from the real
// one) and, in a chroot, a /proc; then starts them.
func namespaceScript(root, dir string) string {
	r := strings.TrimSuffix(root, "/")
	return strings.NewReplacer("@R@", r, "@D@", dir).Replace(`set -eu
mkdir -p @R@@D@/hostdev
mount --rbind /dev @R@@D@/hostdev
mount -t tmpfs -o mode=0755,size=1m mailcop-e2e-dev @R@/dev
for n in null zero full random urandom; do
  : >@R@/dev/$n
  mount --bind @R@@D@/hostdev/$n @R@/dev/$n
done
umount -l @R@@D@/hostdev
if [ -n "@R@" ]; then mount -t proc proc @R@/proc; fi
exec chroot @R@/ /bin/sh @D@/launch.sh
`)
}

// launchScript starts rsyslog, then dovecot, then postfix (which needs
// dovecot's auth socket), each as its package's init script would, and
// returns: the daemons detach.
func launchScript(dir string) string {
	return strings.ReplaceAll(`set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
D=@D@
# The daemons keep no descriptor of the harness's.
exec >$D/log/launch.log 2>&1 </dev/null
chown postfix $D/postfix/data
# dovecot's stats process, which exports events, runs as dovecot.
: >$D/log/dovecot-events.json
chown dovecot $D/log/dovecot-events.json
wait_for() {
  n=0
  while [ ! -S "$1" ]; do
    n=$((n+1))
    if [ $n -gt 100 ]; then echo "no socket $1" >&2; exit 1; fi
    sleep 0.05
  done
}
rsyslogd -f $D/rsyslog.conf -i $D/run/rsyslogd.pid
wait_for /dev/log
dovecot -c $D/dovecot.conf
wait_for $D/run/dovecot/auth-postfix
postfix -c $D/postfix/conf start
`, "@D@", dir)
}

func (s *server) start(t *testing.T) {
	t.Helper()
	for _, port := range []int{s.ports.imap, s.ports.pop3, s.ports.submission} {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
			c.Close()
			t.Fatalf("port %d already answers: a daemon of an earlier run is still up", port)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "/bin/sh", filepath.Join(s.host, "namespace.sh"))
	out, err := cmd.CombinedOutput()
	t.Cleanup(func() { s.stop(t) })
	if err != nil {
		launch, _ := os.ReadFile(filepath.Join(s.host, "log", "launch.log"))
		mail, _ := os.ReadFile(s.mailLog())
		t.Fatalf("start the daemons: %v\n%s%s\nmail.log:\n%s", err, out, launch, mail)
	}
	for _, port := range []int{s.ports.imap, s.ports.pop3, s.ports.submission} {
		waitPort(t, port)
	}
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d", port)
}

// pidFiles of the three daemons' masters, in the order they are stopped.
func (s *server) pidFiles() []string {
	return []string{
		filepath.Join(s.host, "postfix/queue/pid/master.pid"),
		filepath.Join(s.host, "run/dovecot/master.pid"),
		filepath.Join(s.host, "run/rsyslogd.pid"),
	}
}

func readPid(file string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil {
		return 0
	}
	return pid
}

// stop ends the daemons the harness started, by the pids they wrote, and
// waits (bounded) for them to go.
func (s *server) stop(t *testing.T) {
	for _, f := range s.pidFiles() {
		pid := readPid(f)
		if pid <= 1 {
			continue
		}
		syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			t.Logf("pid %d (%s) ignored SIGTERM: killed", pid, filepath.Base(f))
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// rotate does what logrotate does to rsyslog's file: rename, then HUP;
// n is the rotation's number (mail.log.1, .2, … shift up).
func (s *server) rotate(n int) error {
	log := s.mailLog()
	for i := n; i > 1; i-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", log, i-1), fmt.Sprintf("%s.%d", log, i)); err != nil {
			return err
		}
	}
	if err := os.Rename(log, log+".1"); err != nil {
		return err
	}
	pid := readPid(filepath.Join(s.host, "run/rsyslogd.pid"))
	if pid <= 1 {
		return fmt.Errorf("rsyslogd wrote no pid file")
	}
	return syscall.Kill(pid, syscall.SIGHUP)
}
