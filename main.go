// Command pwreset is a small service that lets the users of any product reset a
// forgotten password by e-mail. Run `pwreset help` for its commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pwreset/pwreset/app"
)

const usage = `pwreset: reset forgotten passwords by e-mail.

Commands:
  serve    run the API (demo mode when MONGODB_URI is not set)
  help     show this text

Configuration comes from environment variables: see docs/configuration.md.
`

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args, environ []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serve(environ, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "pwreset: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func serve(environ []string, stdout, stderr io.Writer) int {
	cfg, err := app.Load(environ)
	if err != nil {
		for _, e := range unjoin(err) {
			fmt.Fprintf(stderr, "pwreset: configuration: %v\n", e)
		}
		return 2
	}
	log := app.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, cleanup, err := initApp(ctx, cfg, log, app.Output{Writer: stdout})
	if err != nil {
		log.Error("cannot start", "error", err)
		return 1
	}
	defer cleanup()
	if err := a.Run(ctx); err != nil {
		log.Error("stopped with an error", "error", err)
		return 1
	}
	return 0
}

// unjoin splits an errors.Join error into its parts, one problem per line.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
