package mailcop_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkLivePipeline measures what SPEC section 4 bounds at 250 ms:
// the time from the write() of a log line to its record out of the live
// pipeline, mailcop-tail -f | mailcop-parse | mailcop-geo, run as real
// processes joined by pipes (no shell). It writes one attack line at a
// time, with pauses between, and reports the median, the 95th percentile
// and the maximum.
func BenchmarkLivePipeline(b *testing.B) {
	bin := b.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./cmd/mailcop-tail", "./cmd/mailcop-parse", "./cmd/mailcop-geo")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	log := filepath.Join(b.TempDir(), "mail.log")
	f, err := os.Create(log)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()

	stages := []*exec.Cmd{
		exec.Command(filepath.Join(bin, "mailcop-tail"), "-f", log),
		exec.Command(filepath.Join(bin, "mailcop-parse")),
		exec.Command(filepath.Join(bin, "mailcop-geo"), "-db", "none", "-asn-db", "none"),
	}
	for i := 1; i < len(stages); i++ {
		r, err := stages[i-1].StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		stages[i].Stdin = r
	}
	out, err := stages[len(stages)-1].StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range stages {
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
	}
	defer func() {
		for _, c := range stages {
			c.Process.Kill()
			c.Wait()
		}
	}()
	records := bufio.NewReader(out)
	time.Sleep(300 * time.Millisecond) // the follower is watching

	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		time.Sleep(time.Duration(5+i%20) * time.Millisecond)
		now := time.Now().UTC()
		line := now.Format("Jan _2 15:04:05") + " mx1 postfix/smtpd[4242]: warning: unknown[203.0.113.5]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n"
		start := time.Now()
		if _, err := f.WriteString(line); err != nil {
			b.Fatal(err)
		}
		rec, err := records.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if !strings.Contains(rec, `"ip":"203.0.113.5"`) || !strings.Contains(rec, `"outcome":"failure"`) {
			b.Fatalf("unexpected record %s", rec)
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(0, "ns/op")
}
