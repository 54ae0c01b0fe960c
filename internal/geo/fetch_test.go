package geo

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dbipServer serves files by path as DB-IP does, and 404 for the rest.
func dbipServer(t *testing.T, files map[string][]byte) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if !strings.HasPrefix(r.UserAgent(), "mailcop-geo/") {
			http.Error(w, "no user agent", http.StatusForbidden)
			return
		}
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

var fetchNow = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)

// -fetch takes this month's files, or last month's early in a month, and
// puts each in place by rename once it has checked it.
func TestFetch(t *testing.T) {
	country := gzipped(t, buildDB(t, "DBIP-Country-Lite", 6, dbipCountryNetworks))
	asnDB := gzipped(t, buildDB(t, "DBIP-ASN-Lite (compat=GeoLite2-ASN)", 6, asnNetworks))
	srv, asked := dbipServer(t, map[string][]byte{
		"/free/dbip-country-lite-2026-12.mmdb.gz": country,
		"/free/dbip-asn-lite-2026-11.mmdb.gz":     asnDB, // December's is not out yet
	})
	dir := filepath.Join(t.TempDir(), "GeoIP") // made if missing
	var out bytes.Buffer
	if err := fetch(context.Background(), srv.URL+"/free/", dir, fetchNow, srv.Client(), &out); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/free/dbip-country-lite-2026-12.mmdb.gz",
		"/free/dbip-asn-lite-2026-12.mmdb.gz",
		"/free/dbip-asn-lite-2026-11.mmdb.gz",
	}
	if strings.Join(*asked, " ") != strings.Join(want, " ") {
		t.Errorf("asked for %q, want %q", *asked, want)
	}
	for _, line := range []string{
		srv.URL + "/free/dbip-country-lite-2026-12.mmdb.gz: " + dir + "/dbip-country-lite.mmdb (DBIP-Country-Lite, built 2026-11-18)\n",
		srv.URL + "/free/dbip-asn-lite-2026-11.mmdb.gz: " + dir + "/dbip-asn-lite.mmdb (DBIP-ASN-Lite (compat=GeoLite2-ASN), built 2026-11-18)\n",
		"IP Geolocation by DB-IP",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
	}
	// What was saved is what mailcop-geo then finds and uses.
	stdout, stderr, code := runStage([]string{"-v"}, []byte(`{"ip":"80.82.78.104"}`+"\n"), testEnv(nil, []string{dir}))
	if code != 0 || string(stdout) != `{"ip":"80.82.78.104","country":"NL","country_name":"Netherlands","asn":202425,"as_org":"IP Volume inc"}`+"\n" {
		t.Errorf("with the fetched files: %s%s", stdout, stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%s holds %d files, want the 2 databases only (no temporary files)", dir, len(entries))
	}
	if st, err := os.Stat(filepath.Join(dir, "dbip-asn-lite.mmdb")); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("dbip-asn-lite.mmdb: %v, %v; want mode 0644", st.Mode(), err)
	}
}

// A download that fails in any way leaves the database in place as it
// was, and no temporary file.
func TestFetchFailures(t *testing.T) {
	good := gzipped(t, buildDB(t, "DBIP-Country-Lite", 6, dbipCountryNetworks))
	asnDB := gzipped(t, buildDB(t, "GeoLite2-ASN", 6, asnNetworks))
	tests := []struct {
		name    string
		country []byte // as served for 2026-12
		want    string
	}{
		{"not gzip", []byte("<html>rate limited</html>"), "gzip: invalid header"},
		{"not a database", gzipped(t, []byte("not a database")), "corrupt, or not a MaxMind DB file"},
		{"truncated", good[:len(good)/2], "unexpected EOF"},
		{"wrong kind", asnDB, "an AS database, without countries"},
		{"missing", nil, "dbip-country-lite-2026-12.mmdb.gz: not found, nor last month's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{}
			if tt.country != nil {
				files["/dbip-country-lite-2026-12.mmdb.gz"] = tt.country
			}
			srv, _ := dbipServer(t, files)
			dir := t.TempDir()
			old := []byte("the database in service")
			path := filepath.Join(dir, "dbip-country-lite.mmdb")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			err := fetch(context.Background(), srv.URL, dir, fetchNow, srv.Client(), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q in it", err, tt.want)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
				t.Errorf("the database in service was changed")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d files left in %s, want 1", len(entries), dir)
			}
		})
	}
}

func TestFetchHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	err := fetch(context.Background(), srv.URL, t.TempDir(), fetchNow, srv.Client(), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "503 Service Unavailable") {
		t.Errorf("err = %v", err)
	}
}
