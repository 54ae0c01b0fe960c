package tailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// runJournal reads systemd's journal through journalctl -o json, whose
// entries mailcop-parse reads as they are. With -state the cursor of the
// last entry written out is kept in the state file, and the next run
// starts after it (journalctl's own --cursor-file is written by
// journalctl, not after our output was flushed).
func (t *tailer) runJournal(ctx context.Context) error {
	bin, err := exec.LookPath("journalctl")
	if err != nil {
		return fmt.Errorf("-journal: %w\nhint: -journal reads systemd's journal with journalctl; on a system with a syslog file, name the file instead", err)
	}
	args := []string{"--output=json", "--no-pager"}
	if t.cfg.follow {
		args = append(args, "--follow")
	}
	switch {
	case t.state != nil && t.state.Journal != "":
		args = append(args, "--after-cursor="+t.state.Journal)
		if t.cfg.follow {
			args = append(args, "--no-tail")
		}
	case t.cfg.lastN >= 0:
		args = append(args, "--lines="+strconv.Itoa(t.cfg.lastN))
	case t.cfg.follow:
		args = append(args, "--no-tail") // -f alone shows only the last 10
	}
	for _, u := range t.cfg.units {
		args = append(args, "--unit="+u)
	}
	t.setCursor(t.stateCursor())

	cmd := exec.Command(bin, args...)
	var errBuf limitedBuffer
	cmd.Stderr = &errBuf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run journalctl: %w", err)
	}
	// On SIGINT or SIGTERM, journalctl is asked to stop; what it wrote
	// until then is read to the end.
	stopped := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			close(stopped) // before the signal: its exit is then expected
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
			case <-finished:
			}
		case <-finished:
		}
	}()

	// Following with -state, the cursor of what was flushed is saved every
	// few seconds when it moved.
	saverDone := make(chan struct{})
	if t.state != nil && t.cfg.follow {
		go t.saveCursorEvery(finished, saverDone)
	} else {
		close(saverDone)
	}

	var pending string // the cursor of the last entry written, not yet flushed
	lr := record.NewLineReader(out, "journalctl")
	lr.FlushBeforeBlock(func() error {
		if err := t.out.flush(); err != nil {
			return err
		}
		t.setCursor(pending)
		return nil
	})
	var rec record.Record
	var readErr error
	for {
		line, err := lr.Next()
		if err != nil {
			var se *record.SyntaxError
			if errors.As(err, &se) {
				t.errorf("%v", se)
				continue
			}
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := rec.Unmarshal(line); err != nil {
			t.errorf("%v", &record.SyntaxError{File: "journalctl", Line: lr.LineNo(), Msg: "invalid entry: " + err.Error()})
			continue
		}
		if err := t.out.record(&rec); err != nil {
			readErr = err
			break
		}
		if c, ok := rec.Get("__CURSOR"); ok {
			pending = c
		}
	}
	if readErr != nil {
		cmd.Process.Kill()
	}
	werr := cmd.Wait()
	close(finished)
	<-saverDone
	if readErr != nil {
		return readErr
	}
	if err := t.out.flush(); err != nil {
		return err
	}
	t.setCursor(pending)
	select {
	case <-stopped:
		return nil // asked to stop: its exit status tells nothing
	default:
	}
	if werr != nil {
		msg := strings.TrimSpace(errBuf.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg != "" {
			return fmt.Errorf("journalctl: %v: %s", werr, msg)
		}
		return fmt.Errorf("journalctl: %v", werr)
	}
	return nil
}

func (t *tailer) saveCursorEvery(finished <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(saveEvery)
	defer tick.Stop()
	saved := t.cursor()
	failed := false
	for {
		select {
		case <-finished:
			return
		case <-tick.C:
		}
		if c := t.cursor(); c != saved {
			if err := t.saveState(); err != nil {
				if !failed {
					// Said once; the final save reports it again.
					failed = true
					fmt.Fprintf(t.stderr, "warning: %v\n", err)
				}
				continue
			}
			saved = c
		}
	}
}

func (t *tailer) stateCursor() string {
	if t.state == nil {
		return ""
	}
	return t.state.Journal
}

func (t *tailer) setCursor(c string) {
	if c == "" {
		return
	}
	t.cursorMu.Lock()
	t.cursorOut = c
	t.cursorMu.Unlock()
}

func (t *tailer) cursor() string {
	t.cursorMu.Lock()
	defer t.cursorMu.Unlock()
	return t.cursorOut
}

// limitedBuffer keeps the first 4 KiB written to it: journalctl's error.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
