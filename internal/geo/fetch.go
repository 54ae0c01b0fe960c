package geo

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

// dbipURL is where DB-IP publishes its free "lite" databases, each month
// as NAME-YYYY-MM.mmdb.gz, under CC BY 4.0, without an account.
const dbipURL = "https://download.db-ip.com/free"

// fetchFiles are the databases -fetch downloads: countries and AS, the
// two that mailcop-geo searches for under these names.
var fetchFiles = []string{"dbip-country-lite", "dbip-asn-lite"}

// maxDownload bounds a decompressed database (the lite ones are under
// 150 MB; a server sending an endless stream must not fill the disk).
const maxDownload = 1 << 30

// fetch downloads the month's DB-IP lite databases into dir. Each is
// written to a temporary file beside its final name, checked (it must
// open and verify as a MaxMind DB with the data its name promises), and
// only then renamed into place: a running mailcop-geo keeps reading the
// old file until SIGHUP, and a failed download leaves the old one as it
// was. client nil means a default client.
func fetch(ctx context.Context, base, dir string, now time.Time, client *http.Client, stdout io.Writer) error {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Minute}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base = strings.TrimRight(base, "/")
	for _, name := range fetchFiles {
		saved, url, err := fetchOne(ctx, client, base, dir, name, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", url, saved)
	}
	fmt.Fprintf(stdout, "DB-IP lite data is CC BY 4.0: credit \"IP Geolocation by DB-IP (https://db-ip.com)\" where you show it\n")
	fmt.Fprintf(stdout, "send SIGHUP to running mailcop-geo processes to use the new files\n")
	return nil
}

// fetchOne downloads one database: this month's, else, early in the
// month before DB-IP has published it, last month's.
func fetchOne(ctx context.Context, client *http.Client, base, dir, name string, now time.Time) (saved, url string, err error) {
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var first string
	for _, m := range []time.Time{month, month.AddDate(0, -1, 0)} {
		url = fmt.Sprintf("%s/%s-%s.mmdb.gz", base, name, m.Format("2006-01"))
		saved, err = download(ctx, client, url, dir, name)
		if !errors.Is(err, errNotPublished) {
			return saved, url, err
		}
		if first == "" {
			first = url
		}
	}
	return "", "", fmt.Errorf("get %s: not found, nor last month's (is -fetch-url right?)", first)
}

var errNotPublished = errors.New("not published")

func download(ctx context.Context, client *http.Client, url, dir, name string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "mailcop-geo/"+cli.VersionString())
	resp, err := client.Do(req)
	if err != nil {
		return "", err // *url.Error: Get "URL": ...
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", errNotPublished
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("get %s: %s", url, resp.Status)
	}
	gz, err := gzip.NewReader(resp.Body)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	final := filepath.Join(dir, name+".mmdb")
	tmp, err := os.CreateTemp(dir, "."+name+"-*.mmdb.tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	n, err := io.Copy(tmp, io.LimitReader(gz, maxDownload+1))
	if err == nil && n > maxDownload {
		err = fmt.Errorf("more than %d bytes", maxDownload)
	}
	if err != nil {
		tmp.Close()
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	desc, err := check(tmp.Name(), name)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", url, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the rename itself, on disk
		d.Close()
	}
	return final + " " + desc, nil
}

// check verifies a downloaded database in full and that it holds the
// data of its kind.
func check(path, name string) (string, error) {
	r := countryRole
	if strings.Contains(name, "asn") {
		r = asnRole
	}
	db, err := openFor(r, path, langEN)
	if err != nil {
		// Name the download, not the temporary file.
		return "", errors.New(strings.TrimPrefix(err.Error(), "open "+path+": "))
	}
	defer db.close()
	if err := db.reader.Verify(); err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	return fmt.Sprintf("(%s, built %s)", db.typ, db.reader.Metadata.BuildTime().UTC().Format("2006-01-02")), nil
}
