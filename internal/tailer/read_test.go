package tailer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/mailcop/mailcop/internal/cli"
)

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func zst(t *testing.T, s string) string {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(w.EncodeAll([]byte(s), nil))
}

func lines(recs []tailRecord) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(filepath.Base(r.File) + " " + r.Line + "\n")
	}
	return b.String()
}

// -a reads the rotated files first, oldest first, decompressed.
func TestHistory(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	writeFile(t, p, "live 1\nlive 2\n")
	writeFile(t, p+".1", "one 1\none 2\n")
	writeFile(t, p+".2.gz", gz(t, "two 1\n")+gz(t, "two 2\n")) // two gzip members
	writeFile(t, p+".3.zst", zst(t, "three\n"))
	writeFile(t, p+".10.gz", gz(t, "ten\n"))
	writeFile(t, p+".old", "not a rotation\n")
	writeFile(t, p+"-backup", "nor this\n")
	writeFile(t, filepath.Join(dir, "other.log.1"), "another log\n")
	want := "mail.log.10.gz ten\nmail.log.3.zst three\nmail.log.2.gz two 1\nmail.log.2.gz two 2\n"
	if _, err := exec.LookPath("bzip2"); err == nil {
		writeFile(t, p+".4", "four\n")
		if out, err := exec.Command("bzip2", p+".4").CombinedOutput(); err != nil {
			t.Fatalf("bzip2: %v %s", err, out)
		}
		want = "mail.log.10.gz ten\nmail.log.4.bz2 four\nmail.log.3.zst three\nmail.log.2.gz two 1\nmail.log.2.gz two 2\n"
	}
	want += "mail.log.1 one 1\nmail.log.1 one 2\nmail.log live 1\nmail.log live 2\n"
	recs, stderr, err := runOnce(t, "-a", p)
	if err != nil || stderr != "" {
		t.Fatalf("%v %s", err, stderr)
	}
	if got := lines(recs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Without -a, the live file only.
	recs, _, _ = runOnce(t, p)
	if got := lines(recs); got != "mail.log live 1\nmail.log live 2\n" {
		t.Errorf("without -a: %s", got)
	}
}

// Dated names, from logrotate's dateext, sort by date; a file being
// compressed right now (plain and .gz at once) is read once.
func TestHistoryDated(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "maillog")
	writeFile(t, p, "live\n")
	writeFile(t, p+"-20261124.gz", gz(t, "24\n"))
	writeFile(t, p+"-20261102", "02\n")
	writeFile(t, p+"-20261125", "25\n")
	writeFile(t, p+"-20261125.gz", gz(t, "2")) // half written by gzip
	recs, stderr, err := runOnce(t, "-a", p)
	if err != nil || stderr != "" {
		t.Fatalf("%v %s", err, stderr)
	}
	want := "maillog-20261102 02\nmaillog-20261124.gz 24\nmaillog-20261125 25\nmaillog live\n"
	if got := lines(recs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A damaged compressed file is reported, with the lines of it written out
// before the damage showed; the others are read, and the run exits 1.
func TestHistoryDamaged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	writeFile(t, p, "live\n")
	full := gz(t, strings.Repeat("a line of the log\n", 5000))
	writeFile(t, p+".2.gz", full[:len(full)/2])
	writeFile(t, p+".1.gz", gz(t, "one\n"))
	recs, stderr, err := runOnce(t, "-a", p)
	if err != cli.ErrReported || !strings.HasPrefix(stderr, "mailcop-tail: read "+p+".2.gz: unexpected EOF: damaged; its lines 1 to ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("error %v, stderr %q", err, stderr)
	}
	if got := lines(recs[len(recs)-2:]); got != "mail.log.1.gz one\nmail.log live\n" {
		t.Errorf("last records %s", got)
	}
}

// Lines of any length and any bytes come out recoverable.
func TestLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	long := strings.Repeat("0123456789", maxLine/10) + "0123456789"[:maxLine%10] // as long as taken, longer than a read
	bad := "user=<j\xe9r\xf4me>, \xff\xfe"
	content := "plain <user@example.com> \"quoted\" \\ tab\there\n" +
		"\n" + // skipped
		"nul \x00 and esc \x1b[2J\n" +
		"crlf\r\n" +
		bad + "\n" +
		long + "\n" +
		"last without newline"
	writeFile(t, p, content)
	recs, stderr, err := runOnce(t, p)
	if err != nil || stderr != "" {
		t.Fatalf("%v %s", err, stderr)
	}
	want := []string{"plain <user@example.com> \"quoted\" \\ tab\there", "nul \x00 and esc \x1b[2J", "crlf\r", bad, long, "last without newline"}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		r := recs[i]
		got := r.Line
		if r.LineB64 != "" {
			b, err := base64.StdEncoding.DecodeString(r.LineB64)
			if err != nil {
				t.Fatal(err)
			}
			got = string(b)
			if !strings.Contains(r.Line, "\ufffd") {
				t.Errorf("line %d: %q has no U+FFFD", i, r.Line)
			}
		}
		if got != w {
			t.Errorf("line %d: got %.60q, want %.60q", i, got, w)
		}
		if (r.LineB64 != "") != (w == bad) {
			t.Errorf("line %d: line_b64 %q", i, r.LineB64)
		}
		if r.File != p {
			t.Errorf("line %d: file %q", i, r.File)
		}
	}
	// The raw output: no HTML escapes, and line_b64 after line.
	var out bytes.Buffer
	Run(context.Background(), []string{p}, nil, &out, &bytes.Buffer{})
	first, _, _ := strings.Cut(out.String(), "\n")
	if want := `{"file":"` + p + `","line":"plain <user@example.com> \"quoted\" \\ tab\there"}`; first != want {
		t.Errorf("first record\n%s\nwant\n%s", first, want)
	}
	if want := `"line":"user=<j\ufffdr\ufffdme>, \ufffd\ufffd","line_b64":"` + base64.StdEncoding.EncodeToString([]byte(bad)) + `"}`; !strings.Contains(out.String(), want) {
		t.Errorf("no %s in\n%.300s", want, out.String())
	}
}

// -n starts at the last lines; "-" reads standard input; several files
// are read in order.
func TestLastAndStdin(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	q := filepath.Join(dir, "fail2ban.log")
	writeFile(t, p, "1\n2\n3\n4\n")
	writeFile(t, q, "a\nb\nc")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "2", p}, "mail.log 3\nmail.log 4\n"},
		{[]string{"-n", "0", p}, ""},
		{[]string{"-n", "9", p}, "mail.log 1\nmail.log 2\nmail.log 3\nmail.log 4\n"},
		{[]string{"-n", "1", p, q}, "mail.log 4\nfail2ban.log c\n"},
		{[]string{"-n", "2", q}, "fail2ban.log b\nfail2ban.log c\n"},
		{[]string{q, "-", p}, "fail2ban.log a\nfail2ban.log b\nfail2ban.log c\n. from stdin\nmail.log 1\nmail.log 2\nmail.log 3\nmail.log 4\n"},
	} {
		var out, errs bytes.Buffer
		err := Run(context.Background(), tt.args, strings.NewReader("from stdin\n"), &out, &errs)
		if err != nil {
			t.Errorf("%v: %v %s", tt.args, err, errs.String())
			continue
		}
		recs := decodeAll(t, out.Bytes())
		if got := lines(recs); got != tt.want {
			t.Errorf("%v: got\n%s\nwant\n%s", tt.args, got, tt.want)
		}
	}
}

func decodeAll(t *testing.T, data []byte) []tailRecord {
	f := filepath.Join(t.TempDir(), "out")
	os.WriteFile(f, data, 0o644)
	return readRecords(t, f)
}

// Without FILE, the system's mail logs that exist are read; with none, a
// clear error suggests -journal.
func TestDefaultLogs(t *testing.T) {
	dir := t.TempDir()
	old := defaultLogs
	defer func() { defaultLogs = old }()
	defaultLogs = []string{filepath.Join(dir, "mail.log"), filepath.Join(dir, "maillog"), filepath.Join(dir, "dovecot.log")}
	_, _, err := runOnce(t)
	if err == nil || !strings.Contains(err.Error(), "no mail log found (looked for "+defaultLogs[0]+", ") || !strings.Contains(err.Error(), "-journal") {
		t.Errorf("no log: %v", err)
	}
	writeFile(t, defaultLogs[0], "postfix\n")
	writeFile(t, defaultLogs[2], "dovecot\n")
	recs, stderr, err := runOnce(t)
	if err != nil || stderr != "" {
		t.Fatalf("%v %s", err, stderr)
	}
	if got := lines(recs); got != "mail.log postfix\ndovecot.log dovecot\n" {
		t.Errorf("got %s", got)
	}
}

// Usage errors exit 2.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-a", "-n", "3", "x"},
		{"-journal", "x"},
		{"-unit", "postfix"},
		{"-state", "s", "-n", "1", "x"},
		{"-state", "s", "-"},
		{"-n", "x"},
		{"-bogus"},
	} {
		var errs bytes.Buffer
		err := Run(context.Background(), args, nil, &bytes.Buffer{}, &errs)
		if code := cli.Exit(&errs, err); code != 2 || !strings.Contains(errs.String(), "usage: mailcop-tail") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs.String())
		}
	}
}
