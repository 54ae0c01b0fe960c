// Package tailer is the mailcop-tail stage: it turns the lines of the mail
// logs into records, following the logs through rotation (-f), reading
// their rotated history (-a), resuming where the last run stopped (-state)
// and reading systemd's journal (-journal).
package tailer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

const usage = `usage: mailcop-tail [-f] [-a | -n N] [-state FILE] [FILE...]
       mailcop-tail -journal [-unit UNIT]... [-f] [-a | -n N] [-state FILE]
       mailcop-tail -listen http://127.0.0.1:PORT/ | -listen unix:PATH

Writes each line of the mail logs as one JSON record, {"file":...,"line":...},
for mailcop-parse. Without FILEs it reads those of /var/log/mail.log,
/var/log/maillog, /var/log/dovecot.log and /var/log/mail/mail.log that exist;
"-" is standard input.

  -f           follow: go on reading as lines are written, through logrotate's
               rename-and-create and copytruncate, and wait for a FILE that
               does not exist yet; only complete lines are written
  -a           first read the rotated logs (FILE.N, FILE-YYYYMMDD, each maybe
               .gz, .zst or .bz2), oldest first (the journal is read whole
               anyway)
  -n N         start at the last N lines of each FILE instead of its start
  -state FILE  remember how far each log was read; the next run writes only
               what is new, including the end of a log rotated away since
  -journal     read systemd's journal (journalctl -o json); its entries are
               written unchanged
  -unit UNIT   with -journal, only the entries of this systemd unit
               (repeatable)
  -listen ADDR receive dovecot's event exporter until stopped, each event
               written as a line: http://127.0.0.1:PORT/ for 2.3's http-post
               driver (loopback addresses only), unix:PATH for 2.4's unix
               driver (a socket of mode 0660)

A line that is not valid UTF-8 keeps its exact bytes in "line_b64" (base64);
its "line" has U+FFFD in their place. Empty lines are skipped, and so are
lines longer than 1 MiB, with a warning naming their file and line.

Example:
  mailcop-tail -f | mailcop-parse | mailcop-geo | mailcop-report -live
`

// config is the command line.
type config struct {
	follow  bool
	all     bool
	lastN   int // -n; -1 for all of the file
	state   string
	journal bool
	units   []string
	files   []string
	listen  listenTarget // -listen; its network is "" without it
}

// Run is mailcop-tail.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailcop-tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{lastN: -1}
	var listenAddr string
	fs.BoolVar(&cfg.follow, "f", false, "follow")
	fs.BoolVar(&cfg.all, "a", false, "read the rotated logs first")
	fs.Func("n", "start at the last `N` lines", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return errors.New("want a number of lines")
		}
		cfg.lastN = n
		return nil
	})
	fs.StringVar(&cfg.state, "state", "", "state `FILE`")
	fs.BoolVar(&cfg.journal, "journal", false, "read systemd's journal")
	fs.Func("unit", "systemd `UNIT`", func(s string) error {
		if s == "" {
			return errors.New("want a unit name")
		}
		cfg.units = append(cfg.units, s)
		return nil
	})
	fs.StringVar(&listenAddr, "listen", "", "receive dovecot's events at `ADDR`")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return err
	}
	cfg.files = fs.Args()
	if err := cfg.check(); err != nil {
		return err
	}
	if listenAddr != "" {
		if err := cfg.checkListen(listenAddr); err != nil {
			return err
		}
	}

	// The only stage that runs for long: SIGINT and SIGTERM end it
	// cleanly, with the output flushed and the position saved. SIGPIPE is
	// left alone, as in every stage.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	t := newTailer(cfg, stdin, stdout, stderr)
	if cfg.state != "" {
		if err := checkStateDir(cfg.state); err != nil {
			return err
		}
		unlock, err := lockState(cfg.state)
		if err != nil {
			return err
		}
		defer unlock()
		if t.state, err = loadState(cfg.state); err != nil {
			return err
		}
	}
	var err error
	switch {
	case cfg.listen.network != "":
		err = t.runListen(ctx)
	case cfg.journal:
		err = t.runJournal(ctx)
	default:
		err = t.runFiles(ctx)
	}
	if ferr := t.out.flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		// Nothing is saved after a failure that may have cost output.
		return err
	}
	if cfg.state != "" {
		if err := t.saveState(); err != nil {
			return err
		}
	}
	if t.failed {
		return cli.ErrReported
	}
	return nil
}

func (c *config) check() error {
	switch {
	case c.all && c.lastN >= 0:
		return cli.Usagef(usage, "-a and -n: choose one")
	case c.journal && len(c.files) > 0:
		return cli.Usagef(usage, "-journal reads no FILE")
	case !c.journal && len(c.units) > 0:
		return cli.Usagef(usage, "-unit needs -journal")
	case c.state != "" && c.lastN >= 0:
		return cli.Usagef(usage, "-state and -n: choose one")
	}
	if c.state != "" {
		for _, f := range c.files {
			if f == "-" {
				return cli.Usagef(usage, "-state: standard input has no position to remember")
			}
		}
	}
	return nil
}

// tailer is one run of mailcop-tail.
type tailer struct {
	cfg    config
	stdin  io.Reader
	stderr io.Writer
	out    *emitter
	state  *stateFile // loaded with -state; nil otherwise
	failed bool       // an error was reported: exit 1 at the end

	lastSave   time.Time // of the state, by checkpoint
	saveFailed bool      // a checkpoint could not save the state
	inCut      bool      // reading a cut file's copy: no checkpoint
	srcs       []*source // the logs read
	onlyWrites bool      // follow: inotify told of writes only since the last pass

	cursorMu  sync.Mutex
	cursorOut string // the journal cursor of the last entry flushed

	buf []byte // read buffer
	fp  []byte // scratch for fingerprints
}

func newTailer(cfg config, stdin io.Reader, stdout, stderr io.Writer) *tailer {
	t := &tailer{
		lastSave: time.Now(),
		cfg:      cfg,
		stdin:    stdin,
		stderr:   stderr,
		out:      newEmitter(stdout),
		buf:      make([]byte, chunkSize),
		fp:       make([]byte, fpMax),
	}
	t.out.warnf = t.warnf
	return t
}

// warnf prints a warning, after the output written so far.
func (t *tailer) warnf(format string, args ...any) {
	t.out.flush()
	fmt.Fprintf(t.stderr, "warning: "+format+"\n", args...)
}

// errorf reports an error the run goes on after; it then exits 1.
func (t *tailer) errorf(format string, args ...any) {
	t.out.flush()
	fmt.Fprintf(t.stderr, format+"\n", args...)
	t.failed = true
}
