package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/count"
)

func main() { os.Exit(cli.Main("mailcop-count", count.Run)) }
