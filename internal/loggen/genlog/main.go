// Genlog writes a synthetic, reproducible postfix + dovecot mail log for
// benchmarks and tests; see package loggen and genlog -h.
package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/loggen"
)

func main() { os.Exit(cli.Main("genlog", loggen.Run)) }
