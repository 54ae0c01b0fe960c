package cli

import (
	"context"
	"io"
	"strings"

	"github.com/mailcop/mailcop/internal/record"
)

// RecordReading is how EachRecord reads: which records it passes on, what
// it does with a bad line and before it may block.
type RecordReading struct {
	// Host, when set, passes on only the records of this server (-host;
	// compared without case): a record that names no host passes too.
	Host string
	// Warn reports a line that is no record; the line is skipped and
	// reading goes on. Its position is in the error.
	Warn func(*record.SyntaxError)
	// FlushBeforeBlock, when set, is called before a read that may wait
	// (see record.LineReader), so a live pipeline never sits on output.
	FlushBeforeBlock func() error
}

// checkEvery is how many records go by between two looks at the context:
// looking at each would cost more than many stages' work on it.
const checkEvery = 1024

// EachRecord reads the records of each input (as EachInput finds them)
// and calls fn for each, with its input's name and line number. r is
// valid until fn returns (record's rule: Clone what is kept). It returns
// how many bad lines were skipped; an error of fn, of a read or of ctx
// ends the reading.
func EachRecord(ctx context.Context, args []string, stdin io.Reader, how RecordReading,
	fn func(r *record.Record, name string, line int) error) (bad int, err error) {
	err = EachInput(args, stdin, func(in Input) error {
		rd := record.NewReader(in.R, in.Name)
		rd.Warn = func(se *record.SyntaxError) {
			bad++
			if how.Warn != nil {
				how.Warn(se)
			}
		}
		if how.FlushBeforeBlock != nil {
			rd.FlushBeforeBlock(how.FlushBeforeBlock)
		}
		for n := 1; rd.Scan(); n++ {
			if n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := rd.Record()
			if how.Host != "" && r.Host != "" && !strings.EqualFold(r.Host, how.Host) {
				continue // another server's
			}
			if err := fn(r, in.Name, rd.LineNo()); err != nil {
				return err
			}
		}
		return rd.Err()
	})
	return bad, err
}
