// Package cli holds what every mailcop binary shares around its stage:
// the Run signature, exit codes and the one voice on stderr.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

// RunFunc is the signature of every stage. Nothing below Main touches the
// process's standard files, arguments or exit.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// ErrReported means the stage already told stderr what went wrong (bad
// input lines, say); Main exits 1 without a second message.
var ErrReported = errors.New("errors were reported")

// UsageError is a mistake in the command line: exit status 2, followed by
// the usage text when the stage gave one.
type UsageError struct {
	Err   error
	Usage string
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError that prints usage after the message.
func Usagef(usage, format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...), Usage: usage}
}

// Main runs a stage as a process and returns its exit status:
// 0 success (and -h), 1 failure, 2 usage error.
func Main(name string, run RunFunc) int {
	stderr := NewPrefixWriter(os.Stderr, name+": ")
	growPipes()
	stdin, restoreIn := pollStdin()
	stdout, restoreOut := pollStdout()
	err := run(context.Background(), os.Args[1:], stdin, stdout, stderr)
	restoreOut()
	restoreIn()
	return Exit(stderr, err)
}

// Exit prints err (once, in the stage's voice) and maps it to an exit status.
func Exit(stderr io.Writer, err error) int {
	var usage *UsageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrReported):
		return 1
	case errors.As(err, &usage):
		if usage.Err != nil {
			fmt.Fprintf(stderr, "%v\n", usage.Err)
		}
		if usage.Usage != "" {
			io.WriteString(unprefixed(stderr), usage.Usage)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
}

// ParseFlags parses args with fs, turning the flag package's errors into
// the exit conventions: -h gives flag.ErrHelp (exit 0, usage printed), a
// bad flag a UsageError (exit 2). fs must be ContinueOnError.
func ParseFlags(fs *flag.FlagSet, usage string, args []string) error {
	var out bytes.Buffer
	w := fs.Output()
	fs.SetOutput(&out)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(w)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(unprefixed(w), usage)
		return flag.ErrHelp
	}
	if err != nil {
		// The flag package words its errors well ("flag provided but not
		// defined: -x"); keep them, in our voice.
		return &UsageError{Err: err, Usage: usage}
	}
	return nil
}

// PrefixWriter starts every line written through it with a prefix, so
// that a stage's diagnostics speak with its name without knowing it.
// Writes are serialised: stages may warn from several goroutines.
type PrefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  []byte
	midLine bool
	scratch []byte
}

// NewPrefixWriter returns a writer that prefixes each line with prefix.
func NewPrefixWriter(w io.Writer, prefix string) *PrefixWriter {
	return &PrefixWriter{w: w, prefix: []byte(prefix)}
}

// unprefixed returns the writer under a PrefixWriter: usage text is a
// page of its own, not a diagnostic.
func unprefixed(w io.Writer) io.Writer {
	if p, ok := w.(*PrefixWriter); ok {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.midLine {
			p.w.Write([]byte{'\n'})
			p.midLine = false
		}
		return p.w
	}
	return w
}

func (p *PrefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	out := p.scratch[:0]
	for len(b) > 0 {
		if !p.midLine {
			out = append(out, p.prefix...)
			p.midLine = true
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i+1]...)
		p.midLine = false
		b = b[i+1:]
	}
	p.scratch = out
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// Version is set at build time with -ldflags -X; otherwise it comes from
// the module's build information.
var Version = ""

// VersionString returns the version to print.
func VersionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
