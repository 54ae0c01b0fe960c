// Simwatch measures the watch's false alarms and break-ins caught on
// generated weeks of logins; see package sim and simwatch -h.
package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/watch/sim"
)

func main() { os.Exit(cli.Main("simwatch", sim.Run)) }
