package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/tailer"
)

func main() { os.Exit(cli.Main("mailcop-tail", tailer.Run)) }
