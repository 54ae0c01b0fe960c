package geo

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/mailcop/mailcop/internal/cli"
)

// live is a mailcop-geo running in the background on pipes, answering
// one record at a time as in a live pipeline.
type live struct {
	t      *testing.T
	in     *io.PipeWriter
	out    *bufio.Reader
	done   chan error
	stderr bytes.Buffer // read only after close
}

// withHUP is e with notify standing for signal.Notify.
func (e env) withHUP(notify func() (<-chan os.Signal, func())) env {
	e.notifyHUP = notify
	return e
}

func startLive(t *testing.T, args []string, e env) *live {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	l := &live{t: t, in: inW, out: bufio.NewReader(outR), done: make(chan error, 1)}
	ew := cli.NewPrefixWriter(&l.stderr, "mailcop-geo: ")
	go func() {
		err := run(context.Background(), args, inR, outW, ew, e)
		outW.Close()
		inR.Close()
		l.done <- err
	}()
	return l
}

// ask sends a record with ip and returns the record that comes back:
// mailcop-geo must flush it while it waits for the next.
func (l *live) ask(ip string) string {
	l.t.Helper()
	if _, err := io.WriteString(l.in, `{"ip":"`+ip+`"}`+"\n"); err != nil {
		l.t.Fatalf("write %s: %v (stderr: %s)", ip, err, l.stop())
	}
	line, err := l.out.ReadString('\n')
	if err != nil {
		l.t.Fatalf("read the answer for %s: %v (stderr: %s)", ip, err, l.stop())
	}
	return strings.TrimSuffix(line, "\n")
}

// stop ends the input and returns what mailcop-geo said on stderr.
func (l *live) stop() string {
	l.in.Close()
	if err := <-l.done; err != nil {
		l.t.Errorf("mailcop-geo ended with %v", err)
	}
	return l.stderr.String()
}

// ipLocation writes an ip-location-db database saying that 141.98.11.0/24
// is in country.
func ipLocation(t *testing.T, path, country string) {
	t.Helper()
	writeDB(t, path, "ip-location-db", 6, []network{
		{"141.98.11.0/24", mmdbtype.Map{"country_code": mmdbtype.String(country)}},
		{"81.2.69.0/24", mmdbtype.Map{"country_code": mmdbtype.String("GB")}},
	})
}

// replaceDB writes a database beside path and renames it into place, as
// geoipupdate does.
func replaceDB(t *testing.T, path, country string) {
	t.Helper()
	tmp := path + ".new"
	ipLocation(t, tmp, country)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// SIGHUP (here, its channel) reopens the databases: a file replaced by
// rename answers from the next record on, with a fresh cache.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "country.mmdb")
	ipLocation(t, path, "LT")
	hup := make(chan os.Signal, 1)
	notify := func() (<-chan os.Signal, func()) { return hup, func() {} }
	l := startLive(t, []string{"-v", "-db", path, "-asn-db", "none"}, testEnv(nil, nil).withHUP(notify))

	if got, want := l.ask("141.98.11.25"), `{"ip":"141.98.11.25","country":"LT","country_name":"Lithuania"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	replaceDB(t, path, "FR")
	// Without SIGHUP, the file open (and the cache) still answer.
	if got := l.ask("141.98.11.25"); !strings.Contains(got, `"LT"`) {
		t.Errorf("before SIGHUP: %s", got)
	}
	hup <- syscall.SIGHUP
	if got, want := l.ask("141.98.11.25"), `{"ip":"141.98.11.25","country":"FR","country_name":"France"}`; got != want {
		t.Errorf("after SIGHUP: got %s, want %s", got, want)
	}

	// A reopen that fails keeps the databases in service.
	if err := os.WriteFile(path+".new", []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	hup <- syscall.SIGHUP
	if got := l.ask("141.98.11.26"); !strings.Contains(got, `"FR"`) {
		t.Errorf("after a failed reopen: %s", got)
	}
	stderr := l.stop()
	for _, want := range []string{
		"mailcop-geo: reopened: country from " + path,
		"mailcop-geo: warning: reopen: -db: open " + path + ": corrupt, or not a MaxMind DB file",
		"mailcop-geo: warning: the databases in service stay\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// A database truncated in place under a running mailcop-geo makes the
// mapped memory fault (SIGBUS). That must not kill the pipeline: the
// lookup recovers, the embedded table answers while the file is broken,
// and a SIGHUP once it is replaced puts it back in service.
func TestTruncatedInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "country.mmdb")
	ipLocation(t, path, "FR")
	hup := make(chan os.Signal, 1)
	notify := func() (<-chan os.Signal, func()) { return hup, func() {} }
	l := startLive(t, []string{"-db", path, "-asn-db", "none"}, testEnv(nil, nil).withHUP(notify))

	if got := l.ask("141.98.11.25"); !strings.Contains(got, `"FR"`) {
		t.Fatalf("got %s", got)
	}
	// What cp or a careless download does: the same inode, rewritten.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	// Another address, so that the database is read, not the cache. The
	// embedded table says LT.
	if got, want := l.ask("141.98.11.26"), `{"ip":"141.98.11.26","country":"LT","country_name":"Lithuania"}`; got != want {
		t.Errorf("after the truncation: got %s, want %s", got, want)
	}
	replaceDB(t, path, "DE")
	hup <- syscall.SIGHUP
	if got := l.ask("141.98.11.27"); !strings.Contains(got, `"DE"`) {
		t.Errorf("after the file came back: %s", got)
	}
	stderr := l.stop()
	for _, want := range []string{
		"mailcop-geo: warning: " + path + ": the file changed under mailcop-geo",
		"mailcop-geo: warning: reopen: -db: open " + path + ": file is empty",
		"mailcop-geo: warning: the embedded table answers until the country database opens again",
		"mailcop-geo: reopened: country from " + path,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// A real SIGHUP, through Run's own signal handling.
func TestSIGHUP(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "country.mmdb")
	ipLocation(t, path, "LT")
	l := startLive(t, []string{"-db", path, "-asn-db", "none"}, testEnv(nil, nil).withHUP(notifyHUP))
	// The first answer proves the handler is in place: a SIGHUP before it
	// would end the test process.
	if got := l.ask("141.98.11.25"); !strings.Contains(got, `"LT"`) {
		t.Fatalf("got %s", got)
	}
	replaceDB(t, path, "FR")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The signal arrives when the runtime delivers it: ask until the
	// answer changes (no deadline to miss on a loaded machine, only a
	// bound so that a broken handler fails instead of hanging).
	for i := 0; ; i++ {
		if strings.Contains(l.ask("141.98.11.25"), `"FR"`) {
			break
		}
		if i == 2000 {
			t.Fatal("SIGHUP did not reopen the database")
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.stop()
}

// The same with the AS database: AS fields stop until it is back.
func TestASNTruncatedInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "asn.mmdb")
	writeDB(t, path, "GeoLite2-ASN", 6, asnNetworks)
	l := startLive(t, []string{"-db", "none", "-asn-db", path}, testEnv(nil, nil))
	if got, want := l.ask("45.155.205.233"), `{"ip":"45.155.205.233","country":"RU","country_name":"Russia","asn":49505,"as_org":"JSC Selectel"}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if got, want := l.ask("45.155.205.234"), `{"ip":"45.155.205.234","country":"RU","country_name":"Russia"}`; got != want {
		t.Errorf("after the truncation: got %s, want %s", got, want)
	}
	stderr := l.stop()
	for _, want := range []string{
		"mailcop-geo: warning: " + path + ": the file changed under mailcop-geo",
		"mailcop-geo: warning: " + path + " is left out until it opens again\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
