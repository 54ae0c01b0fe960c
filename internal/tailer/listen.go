package tailer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
)

// -listen receives dovecot's event exporter, which needs a receiver: 2.3
// posts each event over HTTP (driver http-post), 2.4 can also write them,
// one a line, to a unix socket it connects to (driver unix). Each event
// becomes one line record, {"file":ADDR,"line":EVENT}, as a log line
// would: mailcop-parse reads the events like any other line.
//
// The events are not authenticated: whoever can reach the receiver can
// make up attempts. So HTTP listens on a loopback address only, and the
// socket is made readable and writable by its owner and group only.

// listenTarget is a parsed -listen value.
type listenTarget struct {
	name    string // as given: the "file" of the records
	network string // "tcp" or "unix"
	address string // host:port, or the socket's path
}

func parseListen(s string) (listenTarget, error) {
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if path == "" {
			return listenTarget{}, errors.New("unix: wants the socket's path")
		}
		return listenTarget{name: s, network: "unix", address: path}, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return listenTarget{}, fmt.Errorf("%q: want http://127.0.0.1:PORT/ or unix:PATH", s)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		return listenTarget{}, fmt.Errorf("%q: want a port", s)
	}
	if host != "localhost" {
		ip, err := netip.ParseAddr(host)
		if err != nil || !ip.IsLoopback() {
			return listenTarget{}, fmt.Errorf("%q: events are not authenticated: listen on a loopback address (127.0.0.1, [::1])", s)
		}
	}
	return listenTarget{name: s, network: "tcp", address: net.JoinHostPort(host, port)}, nil
}

// runListen receives events until ctx ends.
func (t *tailer) runListen(ctx context.Context) error {
	target := t.cfg.listen
	ln, err := listenOn(target)
	if err != nil {
		return err
	}
	if h := hooksOf(ctx); h.listening != nil {
		h.listening(ln.Addr())
	}
	r := &receiver{t: t, name: target.name, conns: map[net.Conn]bool{}}
	if target.network == "unix" {
		defer os.Remove(target.address)
		return r.serveUnix(ctx, ln)
	}
	return r.serveHTTP(ctx, ln)
}

func listenOn(target listenTarget) (net.Listener, error) {
	if target.network == "unix" {
		// A socket left by an earlier run is replaced; any other file is
		// not touched.
		if fi, err := os.Lstat(target.address); err == nil && fi.Mode()&os.ModeSocket != 0 {
			os.Remove(target.address)
		}
	}
	ln, err := net.Listen(target.network, target.address)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if target.network == "unix" {
		if err := os.Chmod(target.address, 0o660); err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen: %w", err)
		}
	}
	return ln, nil
}

// receiver writes what the connections bring, one line at a time.
type receiver struct {
	t    *tailer
	name string

	mu    sync.Mutex
	conns map[net.Conn]bool
}

// emit writes the lines of b as records, and flushes: the receiver is
// live, like -f.
func (r *receiver) emit(b []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if err := r.t.out.line(r.name, bytes.TrimSuffix(line, []byte("\r"))); err != nil {
			return err
		}
	}
	return r.t.out.flush()
}

func (r *receiver) warnf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.t.warnf(format, args...)
}

// serveHTTP answers dovecot's http-post driver: each POST's body is one
// event (or several, one a line).
func (r *receiver) serveHTTP(ctx context.Context, ln net.Listener) error {
	var writeErr error
	var once sync.Once
	stop := make(chan struct{})
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.Method != http.MethodPost {
				w.Header().Set("Allow", "POST")
				http.Error(w, "POST events here", http.StatusMethodNotAllowed)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, record.MaxLine))
			if err != nil {
				r.warnf("%s: request from %s skipped: %v", r.name, req.RemoteAddr, err)
				http.Error(w, "event too long", http.StatusRequestEntityTooLarge)
				return
			}
			if err := r.emit(body); err != nil {
				once.Do(func() { writeErr = err; close(stop) })
				http.Error(w, "output failed", http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		}),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case <-stop:
	case err := <-done:
		return fmt.Errorf("listen: %w", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	<-done
	if writeErr != nil {
		return fmt.Errorf("write output: %w", writeErr)
	}
	return nil
}

// serveUnix reads the lines dovecot's unix driver writes on each
// connection.
func (r *receiver) serveUnix(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	var writeErr error
	var once sync.Once
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
		ln.Close()
		r.mu.Lock()
		for c := range r.conns {
			c.Close()
		}
		r.mu.Unlock()
	}()
	var err error
	for {
		c, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil && !errors.Is(aerr, net.ErrClosed) {
				err = fmt.Errorf("listen: %w", aerr)
			}
			break
		}
		r.mu.Lock()
		r.conns[c] = true
		r.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if werr := r.readConn(c); werr != nil {
				once.Do(func() { writeErr = werr; close(stop) })
			}
			r.mu.Lock()
			delete(r.conns, c)
			r.mu.Unlock()
			c.Close()
		}()
	}
	wg.Wait()
	if writeErr != nil {
		return fmt.Errorf("write output: %w", writeErr)
	}
	return err
}

// readConn writes the connection's lines until it ends; only an output
// error is returned.
func (r *receiver) readConn(c net.Conn) error {
	br := bufio.NewReaderSize(c, 64<<10)
	var line []byte
	skipping := false
	for {
		frag, err := br.ReadSlice('\n')
		if !skipping {
			line = append(line, frag...)
		}
		if !skipping && len(bytes.TrimSuffix(line, []byte("\n"))) > record.MaxLine {
			r.warnf("%s: event longer than %d bytes skipped", r.name, record.MaxLine)
			line, skipping = line[:0], true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if !skipping && len(line) > 0 {
			if werr := r.emit(bytes.TrimSuffix(line, []byte("\n"))); werr != nil {
				return werr
			}
		}
		line, skipping = line[:0], false
		if err != nil {
			return nil // the driver closed, or the receiver is stopping
		}
	}
}

// checkListen refuses what -listen cannot go with.
func (c *config) checkListen(s string) error {
	if c.follow || c.all || c.lastN >= 0 || c.state != "" || c.journal || len(c.files) > 0 {
		return cli.Usagef(usage, "-listen goes with no other flag and no FILE")
	}
	target, err := parseListen(s)
	if err != nil {
		return cli.Usagef(usage, "-listen %v", err)
	}
	c.listen = target
	return nil
}
