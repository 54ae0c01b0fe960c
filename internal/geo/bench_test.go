package geo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"testing"
)

// benchRecords returns n records as mailcop-parse writes them, from a
// pool of addresses attackers would use (repeating, as attackers do), a
// few of them reserved.
func benchRecords(n, addresses int) []byte {
	var b bytes.Buffer
	for i := range n {
		k := (i * 7919) % addresses
		var ip string
		switch {
		case k%50 == 0:
			ip = fmt.Sprintf("192.168.%d.%d", k/250%256, k%250+1)
		case k%7 == 0:
			ip = fmt.Sprintf("2a03:b0c0:%x:d0::%x", k%64, k)
		default:
			ip = fmt.Sprintf("%d.%d.%d.%d", 1+k%200, k*13%256, k*31%256, 1+k%250)
		}
		fmt.Fprintf(&b, `{"time":"2026-11-25T01:12:09.123456+01:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"password_mismatch","user":"user%d@example.com","ip":"%s","method":"PLAIN","session":"MLaq9jOm07uYLjru","attempts":1}`+"\n", k%500, ip)
	}
	return b.Bytes()
}

// BenchmarkFilter measures the stage on a warm cache, as in a pipeline:
// decode, look up, encode. make bench compares the binary with jq.
func BenchmarkFilter(b *testing.B) {
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"embedded", []string{"-db", "none", "-asn-db", "none"}},
		{"mmdb", []string{"-db", "$DB/GeoLite2-City.mmdb", "-asn-db", "$DB/GeoLite2-ASN.mmdb"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := expand(bc.args, testDBs(b))
			const n = 10000
			in := benchRecords(n, 2000)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				err := run(context.Background(), args, bytes.NewReader(in), io.Discard, io.Discard, testEnv(nil, nil))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

var sinkInfo info

// BenchmarkLocate measures a cache miss: parse, scope, lookup, name.
func BenchmarkLocate(b *testing.B) {
	db := testDBs(b)
	ips := []string{"45.155.205.233", "81.2.69.160", "2a03:b0c0:3:d0::5f21:1", "9.9.9.9", "192.168.1.1"}
	for _, bc := range []struct {
		name       string
		db, asnDB  string
		lang       int
		noDatabase bool
	}{
		{name: "embedded", db: "none", asnDB: "none"},
		{name: "city+asn", db: filepath.Join(db, "GeoLite2-City.mmdb"), asnDB: filepath.Join(db, "GeoLite2-ASN.mmdb")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			src, err := openSources(bc.db, bc.asnDB, langEN, testEnv(nil, nil), func(string) {})
			if err != nil {
				b.Fatal(err)
			}
			defer src.close()
			s := &stage{src: src, ips: newCache[string, info](16)}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkInfo, _ = s.locate(ips[i%len(ips)])
				i++
			}
		})
	}
}

var sinkScope string

func BenchmarkScope(b *testing.B) {
	a := netip.MustParseAddr("2a03:b0c0:3:d0::5f21:1")
	for b.Loop() {
		sinkScope = scopeOf(a)
	}
}
