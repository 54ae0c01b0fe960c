package loggen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/cli"
)

const usage = `usage: genlog [-size N] [-seed N] [-format syslog|rfc3339] [-start TIME]
              [-attack SHARE] [-host NAME] [-rate N] [-o FILE] [-truth FILE]

Genlog writes a synthetic mail log of a busy postfix + dovecot server under
password attack, the same bytes for the same flags. With -truth it also
writes, as JSON, the true number of failed attempts per address.

  -size N          bytes to write, with K, M or G (binary) suffix (default 16M)
  -seed N          random seed (default 1)
  -format F        syslog ("Nov 25 06:25:01 mx1 ...") or rfc3339 (default syslog)
  -start TIME      first stamp, 2006-01-02T15:04:05[Z07:00]; UTC without offset
                   (default 2026-11-25T00:00:00)
  -attack SHARE    share of lines from attack traffic, 0 to 1 (default 0.08)
  -host NAME       syslog host name (default mx1)
  -rate N          mean lines per second of log time (default 85)
  -o FILE          write to FILE, replaced only once complete (default stdout)
  -truth FILE      write the truth as JSON to FILE

Example:
  go run ./internal/loggen/genlog -size 1G -seed 1 -o bench/mail-1G.log -truth bench/mail-1G.truth.json
`

// Run is genlog's command line.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("genlog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "16M", "bytes to write, with K, M or G `suffix`")
	seed := fs.Uint64("seed", 1, "random `seed`")
	format := fs.String("format", "syslog", "stamp `format`: syslog or rfc3339")
	start := fs.String("start", "2026-11-25T00:00:00", "first `time`")
	attack := fs.Float64("attack", DefaultAttack, "`share` of attack lines")
	host := fs.String("host", "mx1", "syslog host `name`")
	rate := fs.Float64("rate", 85, "mean lines per `second`")
	out := fs.String("o", "", "output `file`")
	truthFile := fs.String("truth", "", "truth `file`")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef(usage, "unexpected argument %q", fs.Arg(0))
	}
	cfg := Config{Seed: *seed, Attack: *attack, NoAttacks: *attack == 0, Host: *host, Rate: *rate}
	var err error
	if cfg.Size, err = ParseSize(*size); err != nil {
		return cli.Usagef(usage, "-size: %v", err)
	}
	switch *format {
	case "syslog":
		cfg.Format = Syslog
	case "rfc3339":
		cfg.Format = RFC3339
	default:
		return cli.Usagef(usage, "-format: unknown format %q (want syslog or rfc3339)", *format)
	}
	if cfg.Start, err = parseStart(*start); err != nil {
		return cli.Usagef(usage, "-start: %v", err)
	}
	if *attack < 0 || *attack > 1 {
		return cli.Usagef(usage, "-attack: %v is not between 0 and 1", *attack)
	}
	if *rate <= 0 {
		return cli.Usagef(usage, "-rate: %v is not positive", *rate)
	}

	var truth *Truth
	if *out == "" || *out == "-" {
		truth, err = Generate(stdout, cfg)
	} else {
		truth, err = generateFile(*out, cfg)
	}
	if err != nil {
		return err
	}
	if *truthFile != "" {
		return writeFileAtomic(*truthFile, truth.WriteJSON)
	}
	return nil
}

func generateFile(name string, cfg Config) (truth *Truth, err error) {
	err = writeFileAtomic(name, func(w io.Writer) error {
		truth, err = Generate(w, cfg)
		return err
	})
	return truth, err
}

// writeFileAtomic writes through a temporary file renamed into place, so
// that an interrupted run leaves no truncated file that a script would
// later take for a complete one.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// ParseSize reads a byte count with an optional binary suffix: 512, 64K,
// 16M, 1G, 1GiB.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(s), "B"), "I")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}

func parseStart(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want 2006-01-02T15:04:05 with an optional zone offset, got " + strconv.Quote(s))
}
