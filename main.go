// Command pwreset is a small service that lets the users of any product reset a
// forgotten password by e-mail. Run `pwreset help` for its commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pwreset/pwreset/app"
)

const usage = `pwreset: reset forgotten passwords by e-mail.

Commands:
  serve                      run the API and the mail dispatcher
                             (demo mode when neither DATABASE_URL nor
                             MONGODB_URI is set)
  outbox                     show the outbox: messages by state, oldest unsent
  outbox retry <id>...       requeue failed messages, with a fresh link
  outbox retry --failed      requeue every failed message
  link --login X | --user-id ID
                             print a valid reset link for the user; sends nothing
  send-link --login X | --user-id ID [--wait]
                             queue the link e-mail (a running serve delivers it);
                             --wait waits for the delivery and reports it
  campaign start|status|pause|resume|cancel
                             e-mail every user a reset link after a breach, at
                             a set rate; --invalidate-passwords LOCKS EVERYONE
                             OUT until they reset (pwreset campaign: details)
  migrate                    create or update pwreset's tables in PostgreSQL
                             (DATABASE_URL) and stop; serve also does it at start
  help                       show this text

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
	case "outbox":
		return outboxCommand(args[1:], environ, stdout, stderr)
	case "link", "send-link":
		return supportCommand(cmd, args[1:], environ, stdout, stderr)
	case "campaign":
		return campaignCommand(args[1:], environ, os.Stdin, stdout, stderr)
	case "migrate":
		return migrate(environ, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "pwreset: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// load reads the configuration, printing each problem.
func load(environ []string, stderr io.Writer) (app.Config, bool) {
	cfg, err := app.Load(environ)
	for _, e := range app.Problems(err) {
		fmt.Fprintf(stderr, "pwreset: configuration: %v\n", e)
	}
	return cfg, err == nil
}

// loadStored reads the configuration of a command that works on what a running
// service stores (what names it), refusing demo mode, which keeps that in the
// service's own memory.
func loadStored(cmd, what string, environ []string, stderr io.Writer) (app.Config, bool) {
	cfg, ok := load(environ, stderr)
	if ok && cfg.Demo() {
		fmt.Fprintf(stderr, "pwreset %s: demo mode keeps %s in the memory of the running service; set DATABASE_URL or MONGODB_URI\n", cmd, what)
		return cfg, false
	}
	return cfg, ok
}

func serve(environ []string, stdout, stderr io.Writer) int {
	cfg, ok := load(environ, stderr)
	if !ok {
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

func outboxCommand(args, environ []string, stdout, stderr io.Writer) int {
	retry := len(args) > 0 && args[0] == "retry"
	if (len(args) > 0 && !retry) || (retry && len(args) < 2) {
		fmt.Fprintf(stderr, "pwreset: outbox takes no argument, or retry with ids or --failed\n\n%s", usage)
		return 2
	}
	cfg, ok := loadStored("outbox", "the outbox", environ, stderr)
	if !ok {
		return 2
	}
	log := app.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tool, cleanup, err := initOutboxTool(ctx, cfg, log, app.Output{Writer: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "pwreset: outbox: %v\n", err)
		return 1
	}
	defer cleanup()
	switch {
	case !retry:
		err = tool.PrintStats(ctx, stdout)
	case args[1] == "--failed":
		err = tool.Retry(ctx, stdout, nil)
	default:
		err = tool.Retry(ctx, stdout, args[1:])
	}
	if err != nil {
		fmt.Fprintf(stderr, "pwreset: outbox: %v\n", err)
		return 1
	}
	return 0
}

// migrate runs `pwreset migrate`: exit 2 without DATABASE_URL, 1 when it fails.
func migrate(environ []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Migrate(ctx, environ, stdout)
	switch {
	case errors.Is(err, app.ErrNoDatabaseURL):
		fmt.Fprintf(stderr, "pwreset: migrate: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "pwreset: migrate: %v\n", err)
		return 1
	}
	return 0
}
