//go:build !linux

package tailer

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Elsewhere than Linux, fsnotify (kqueue, ReadDirectoryChangesW) tells of
// changes, through its goroutine and channels.
type fsNotifier struct {
	w     *fsnotify.Watcher
	timer *time.Timer
}

// onlyCreations makes no difference here: fsnotify tells of every change.
func newNotifier(_ context.Context, onlyCreations bool) (notifier, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &fsNotifier{w: w, timer: t}, nil
}

func (n *fsNotifier) add(dir string) error { return n.w.Add(dir) }

func (n *fsNotifier) wait(ctx context.Context, deadline time.Time) ([]change, error) {
	if deadline.IsZero() {
		select {
		case ev, ok := <-n.w.Events:
			return changeOf(ev, ok), nil
		case _, ok := <-n.w.Errors:
			return lost(ok), nil
		default:
			return nil, nil
		}
	}
	n.timer.Reset(time.Until(deadline))
	defer n.timer.Stop()
	select {
	case ev, ok := <-n.w.Events:
		return changeOf(ev, ok), nil
	case _, ok := <-n.w.Errors:
		return lost(ok), nil
	case <-ctx.Done():
	case <-n.timer.C:
	}
	return nil, nil
}

func changeOf(ev fsnotify.Event, ok bool) []change {
	if !ok {
		return nil
	}
	return []change{{
		name:    filepath.Clean(ev.Name),
		created: ev.Has(fsnotify.Create),
		gone:    ev.Has(fsnotify.Remove | fsnotify.Rename),
	}}
}

// lost: the watcher's queue overflowed, events were lost.
func lost(ok bool) []change {
	if !ok {
		return nil
	}
	return []change{{overflow: true}}
}

func (n *fsNotifier) nap(ctx context.Context, d time.Duration) { sleepTimer(ctx, n.timer, d) }

func (n *fsNotifier) close() error { return n.w.Close() }
