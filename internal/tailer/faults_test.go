package tailer

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A tail blocked opening a named pipe no one writes to ends on SIGTERM
// and SIGINT, with -state (refused: a pipe has no position) and without
// (it waits for a writer, as cat does, until told to stop).
func TestFIFOSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		for _, withState := range []bool{true, false} {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "q")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{fifo}
			if withState {
				args = []string{"-state", filepath.Join(dir, "s"), fifo}
			}
			cmd := helper(t, "tail", args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(300 * time.Millisecond) // let it reach the open
			cmd.Process.Signal(sig)
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("%v, %s: still running 10 s after the signal", sig, strings.Join(args, " "))
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if withState {
				if code != 1 || !strings.Contains(stderr.String(), "not a regular file") {
					t.Errorf("%v, -state on a pipe: exit %d, stderr %q; want exit 1, refused", sig, code, &stderr)
				}
			} else if code != 0 || stdout.Len() != 0 {
				t.Errorf("%v, a pipe without writer: exit %d (%v), stdout %q, stderr %q; want exit 0", sig, code, err, &stdout, &stderr)
			}
		}
	}
}
