package mailcop_test

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/count"
	"github.com/mailcop/mailcop/internal/geo"
	"github.com/mailcop/mailcop/internal/parse"
	"github.com/mailcop/mailcop/internal/report"
	"github.com/mailcop/mailcop/internal/tailer"
)

// TestMain lets the scripts run the five commands as real processes,
// each through the same cli.Main call its main.go makes.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mailcop-tail":   func() { os.Exit(cli.Main("mailcop-tail", tailer.Run)) },
		"mailcop-parse":  func() { os.Exit(cli.Main("mailcop-parse", parse.Run)) },
		"mailcop-geo":    func() { os.Exit(cli.Main("mailcop-geo", geo.Run)) },
		"mailcop-count":  func() { os.Exit(cli.Main("mailcop-count", count.Run)) },
		"mailcop-report": func() { os.Exit(cli.Main("mailcop-report", report.Run)) },
	})
}

// TestScripts runs testdata/script/*.txtar: whole pipelines through real
// pipes, usage and exit codes, and what jq and sort make of our output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("MAILCOP_UPDATE") != "",
		Setup:               setupScript,
	})
}

// setupScript gives a script what it reads from the repository (the
// bundled sample, the shared corpus) as $REPO, and pins the zone.
func setupScript(env *testscript.Env) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	env.Setenv("REPO", wd)
	env.Setenv("TZ", "UTC")
	return nil
}
