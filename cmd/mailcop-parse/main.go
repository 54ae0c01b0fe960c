package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/parse"
)

func main() { os.Exit(cli.Main("mailcop-parse", parse.Run)) }
