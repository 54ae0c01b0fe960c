package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/report"
)

func main() { os.Exit(cli.Main("mailcop-report", report.Run)) }
