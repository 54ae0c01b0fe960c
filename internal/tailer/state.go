package tailer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The state file remembers, for each log, the files of it that were read
// and how far, so that the next run writes exactly what is new. It is
// JSON, written whole to a temporary file in the same directory, synced
// and renamed into place (mode 0600), only after the output was flushed:
//
//	{
//	  "mailcop_tail_state": 1,
//	  "saved": "2026-11-26T06:25:01.123456789+01:00",
//	  "files": {
//	    "/var/log/mail.log": [
//	      {"name": "/var/log/mail.log", "dev": 2049, "ino": 393231,
//	       "offset": 1048576, "lines": 5123, "fp_len": 1024,
//	       "fp_sha256": "9f86d0..."}
//	    ]
//	  },
//	  "journal_cursor": "s=..."
//	}
//
// A log's entries are the files it still had unread bytes in (a rotated
// file still written to) and, last, the newest file read. A file is found
// again by device and inode, and by the SHA-256 of its first fp_len bytes
// (up to 1024): so it is found after it was renamed (mail.log.1) and
// after it was compressed (mail.log.1.gz, mail.log-20261126.gz), where
// the offset counts decompressed bytes. "name" is for people, and so is
// "lines", the number of lines up to the offset, for the line numbers of
// warnings.
type stateFile struct {
	Version int                `json:"mailcop_tail_state"`
	Saved   time.Time          `json:"saved"`
	Files   map[string][]entry `json:"files,omitempty"`
	Journal string             `json:"journal_cursor,omitempty"`

	path string
}

type entry struct {
	Name   string `json:"name"`
	Dev    uint64 `json:"dev"`
	Ino    uint64 `json:"ino"`
	Offset int64  `json:"offset"`
	Lines  int64  `json:"lines,omitempty"` // lines up to offset; 0: not known
	FPLen  int    `json:"fp_len"`
	FP     string `json:"fp_sha256"`
}

const stateVersion = 1

func (e entry) id() fileID { return fileID{e.Dev, e.Ino} }

// matches reports whether a file whose first bytes are b is the file of e.
func (e entry) matches(b []byte) bool {
	if len(b) < e.FPLen {
		return false
	}
	sum := sha256.Sum256(b[:e.FPLen])
	return hex.EncodeToString(sum[:]) == e.FP
}

func entryOf(name string, id fileID, fp []byte, sp *splitter) entry {
	sum := sha256.Sum256(fp)
	e := entry{Name: name, Dev: id.dev, Ino: id.ino, Offset: sp.off, FPLen: len(fp), FP: hex.EncodeToString(sum[:])}
	if !sp.noLineNo {
		e.Lines = sp.lineNo
	}
	return e
}

// loadState reads the state file; a missing one is a first run. An empty
// one is an error, not a first run: mailcop-tail never leaves one, and a
// first run would write all of each log again.
func loadState(path string) (*stateFile, error) {
	st := &stateFile{Version: stateVersion, Files: map[string][]entry{}, path: path}
	data, err := readRegular(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("state %s is corrupt: %s\nhint: it is left as it is; remove it to start over (the next run then writes all of each log)", path, fmt.Sprintf(format, args...))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, corrupt("empty (mailcop-tail never leaves an empty state)")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return nil, corrupt("%v", err)
	}
	if dec.More() {
		return nil, corrupt("data after the JSON object")
	}
	if st.Version != stateVersion {
		return nil, corrupt("not a mailcop-tail state (version %d)", st.Version)
	}
	for name, es := range st.Files {
		for _, e := range es {
			if e.Offset < 0 || e.Lines < 0 || e.Lines > e.Offset || e.FPLen < 0 || e.FPLen > fpMax || len(e.FP) != 64 {
				return nil, corrupt("bad entry for %s", name)
			}
			if _, err := hex.DecodeString(e.FP); err != nil {
				return nil, corrupt("bad entry for %s", name)
			}
		}
	}
	if st.Files == nil {
		st.Files = map[string][]entry{}
	}
	st.path = path
	return st, nil
}

// save writes the state atomically: a temporary file beside it, synced,
// renamed over it, and the directory synced.
func (st *stateFile) save() error {
	st.Saved = time.Now()
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir, base := filepath.Split(st.path)
	if dir == "" {
		dir = "."
	}
	// O_CREATE|O_EXCL, mode 0600: a symbolic link planted at the name is
	// not followed.
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, st.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save state %s: %w", st.path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// noFollow opens files beside the state: neither a symbolic link nor a
// named pipe someone planted there is followed or waited on.
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// readRegular reads the regular file at path, not through a symbolic link.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return nil, symlinkHint(err)
	}
	defer f.Close()
	if err := isRegular(f); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

func isRegular(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", f.Name())
	}
	return nil
}

func symlinkHint(err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("%w (a symbolic link: not followed)", err)
	}
	return err
}

// checkStateDir refuses a state in a directory every user may write to
// without the sticky bit: anyone could replace the state or its lock
// there between two runs.
func checkStateDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o002 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return fmt.Errorf("state %s: its directory %s is writable by every user (and not sticky): anyone could replace the state\nhint: keep the state in a directory of its own, such as /var/lib/mailcop", path, dir)
	}
	return nil
}

// lockState takes the lock that keeps two runs from sharing a state file:
// an flock on FILE.lock (the state file itself is replaced on each save).
// The kernel lets go of it when its holder dies, even by kill -9.
func lockState(path string) (unlock func(), err error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|noFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state: %w", symlinkHint(err))
	}
	if err := isRegular(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock state: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("state %s is in use by another mailcop-tail (lock %s)", path, name)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}

// saveState records the position of every log read in this run, keeping
// the entries of logs this run did not read.
func (t *tailer) saveState() error {
	t.collectState()
	return t.state.save()
}

// checkpoint saves the state on the way, every saveEvery, after the output
// was flushed: a run killed (kill -9) while it reads a long way then
// writes again on the next run only what it wrote since the last save,
// not everything. Not while a cut file's copy is read: the position of a
// cut file is not yet where the state could find it again.
func (t *tailer) checkpoint() {
	if t.state == nil || t.inCut || time.Since(t.lastSave) < saveEvery {
		return
	}
	t.lastSave = time.Now()
	if err := t.saveState(); err != nil && !t.saveFailed {
		t.saveFailed = true // said once; the last save says it again
		t.warnf("%v", err)
	}
}
