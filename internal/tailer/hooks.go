package tailer

import (
	"context"
	"net"
	"time"
)

// hooks are the points where a test watches a run from inside. A run
// finds them in its context, so tests that run in parallel each watch
// their own run, and Run's signature stays the command's; in production
// there are none.
type hooks struct {
	// following is called once, when -f has read what the logs held and
	// watches them: a writer started after it is read as it writes.
	following func()
	// listening is called with the address once -listen listens (tests
	// listen on port 0).
	listening func(net.Addr)
	// pollOnly, when set, leaves inotify aside and has -f look for new
	// lines every pollOnly, as on a system without inotify (NFS, or no
	// instances left).
	pollOnly time.Duration
	// pass is called at each pass of -f over the logs.
	pass func()
}

type hooksKey struct{}

// withHooks returns ctx carrying h, for the run given that context.
func withHooks(ctx context.Context, h hooks) context.Context {
	return context.WithValue(ctx, hooksKey{}, h)
}

// hooksOf returns the hooks ctx carries; none when it carries none.
func hooksOf(ctx context.Context) hooks {
	h, _ := ctx.Value(hooksKey{}).(hooks)
	return h
}
