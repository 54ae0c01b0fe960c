package main

import (
	"os"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/geo"
)

func main() { os.Exit(cli.Main("mailcop-geo", geo.Run)) }
