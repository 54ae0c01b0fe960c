package tailer

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// A sibling is a rotated file of a log: for mail.log, mail.log.1,
// mail.log.2.gz, mail.log-20261126, mail.log-20261126.zst, ...
type sibling struct {
	path  string // to open, and the "file" of its records
	comp  string // "", ".gz", ".zst" or ".bz2"
	num   int    // the N of FILE.N; -1 for a dated name
	date  string // the date of FILE-DATE
	id    fileID
	mtime time.Time
}

var compSuffixes = []string{".gz", ".zst", ".bz2"}

// siblings lists the rotated files of the log at path, oldest first:
// FILE.N from the highest N down, then FILE-DATE by date. When a file
// exists both compressed and not (logrotate is compressing it right now)
// the uncompressed one, which is complete, is taken.
func siblings(path string) ([]sibling, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var list []sibling
	for _, de := range ents {
		name := de.Name()
		rest, ok := strings.CutPrefix(name, base)
		if !ok || rest == "" {
			continue
		}
		s := sibling{path: filepath.Join(filepath.Dir(path), name), num: -1}
		for _, c := range compSuffixes {
			if r, ok := strings.CutSuffix(rest, c); ok {
				rest, s.comp = r, c
				break
			}
		}
		switch {
		case len(rest) > 1 && rest[0] == '.' && allDigits(rest[1:]):
			n, err := strconv.Atoi(rest[1:])
			if err != nil {
				continue
			}
			s.num = n
		case len(rest) > 1 && rest[0] == '-' && isDate(rest[1:]):
			s.date = rest[1:]
		default:
			continue
		}
		fi, err := os.Stat(s.path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		s.id, s.mtime = idOf(fi), fi.ModTime()
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.num >= 0) != (b.num >= 0) {
			return a.num >= 0 // numbered files first: older than dated ones
		}
		if a.num != b.num {
			return a.num > b.num
		}
		if a.date != b.date {
			return a.date < b.date
		}
		return a.comp > b.comp // compressed before plain
	})
	// A file both compressed and not, with the same first bytes, is one
	// that logrotate is compressing right now: the plain one is complete.
	out := list[:0]
	for i, s := range list {
		if s.comp != "" && i+1 < len(list) && sameRotation(s, list[i+1]) {
			a, errA := prefix(s.path, s.comp, fpMax)
			b, errB := prefix(list[i+1].path, "", fpMax)
			if errA == nil && errB == nil && (len(a) == 0 || bytes.HasPrefix(b, a)) {
				continue
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func sameRotation(a, b sibling) bool { return b.comp == "" && a.num == b.num && a.date == b.date }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isDate accepts logrotate's dateext suffixes: digits, with -, _ or . in
// between (20261126, 2026-11-26, 20261126-1732612345).
func isDate(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// openChunks opens a rotated file for reading as a stream, decompressing
// it by its suffix.
func openChunks(ctx context.Context, path, comp string) (chunker, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader
	closeDec := func() {}
	switch comp {
	case "":
		r = f
	case ".gz":
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 128<<10))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		r = zr
	case ".zst":
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		r, closeDec = zr, zr.Close
	case ".bz2":
		r = bzip2.NewReader(bufio.NewReaderSize(f, 128<<10))
	}
	a := newAheadChunks(ctx, r, true, true)
	return &fileChunks{aheadChunks: a, f: f, closeDec: closeDec}, nil
}

type fileChunks struct {
	*aheadChunks
	f        *os.File
	closeDec func()
}

func (c *fileChunks) close() error {
	c.aheadChunks.close()
	c.closeDec()
	return c.f.Close()
}

// prefix returns the first n bytes of a sibling, decompressed; fewer if
// it is shorter.
func prefix(path, comp string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	switch comp {
	case ".gz":
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = zr
	case ".zst":
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	case ".bz2":
		r = bzip2.NewReader(f)
	}
	b := make([]byte, n)
	k, err := io.ReadFull(r, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return b[:k], nil
}

// verify decompresses a rotated file to its end, without writing
// anything out: its checksums are checked only there.
func verify(ctx context.Context, path, comp string) error {
	c, err := openChunks(ctx, path, comp)
	if err != nil {
		return err
	}
	defer c.close()
	for {
		_, err := c.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("read %s: %w", path, err)
		}
	}
}
