package cli

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Input is one input of a stage: a named file or standard input.
type Input struct {
	R    io.Reader
	Name string // "<stdin>" for standard input
	// ModTime is the file's modification time; zero for stdin and pipes,
	// where "now" is the reference instead.
	ModTime time.Time
}

// EachInput calls fn for each file named in args, in order, or for stdin
// when args is empty; "-" names stdin too.
func EachInput(args []string, stdin io.Reader, fn func(Input) error) error {
	if len(args) == 0 {
		args = []string{"-"}
	}
	for _, name := range args {
		if name == "-" {
			if err := fn(Input{R: stdin, Name: "<stdin>"}); err != nil {
				return err
			}
			continue
		}
		if err := eachFile(name, fn); err != nil {
			return err
		}
	}
	return nil
}

func eachFile(name string, fn func(Input) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err // *PathError already reads "open NAME: ..."
	}
	defer f.Close()
	in := Input{R: f, Name: name}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		in.ModTime = st.ModTime()
	} else if err != nil {
		return fmt.Errorf("stat %s: %w", name, err)
	}
	return fn(in)
}
