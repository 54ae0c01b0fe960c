//go:build !linux

package tailer

import (
	"context"
	"os"
	"time"
)

func readAt(f *os.File, b []byte, off int64) (int, error) { return f.ReadAt(b, off) }

func fileSize(f *os.File) (int64, error) { return statSize(f) }

func statID(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	return idOf(fi), nil
}

// A napper sleeps between the passes over a stream.
type napper struct{ timer *time.Timer }

func newNapper(context.Context) *napper {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &napper{timer: t}
}

func (n *napper) sleep(ctx context.Context, d time.Duration) { sleepTimer(ctx, n.timer, d) }

func (n *napper) close() {}
