package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/reset"
)

// supportCommand runs `pwreset link` or `pwreset send-link`: 0 on success, 1 when
// no link could be issued or delivered, 2 for a usage or configuration error.
func supportCommand(cmd string, args, environ []string, stdout, stderr io.Writer) int {
	target, wait, err := parseSupportArgs(cmd, args)
	if err != nil {
		fmt.Fprintf(stderr, "pwreset %s: %v\n\n%s", cmd, err, usage)
		return 2
	}
	cfg, ok := loadStored(cmd, "its users", environ, stderr)
	if !ok {
		return 2
	}
	log := app.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tool, cleanup, err := initSupportTool(ctx, cfg, log, app.Output{Writer: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "pwreset %s: %v\n", cmd, err)
		return 1
	}
	defer cleanup()
	if cmd == "link" {
		err = tool.Link(ctx, stdout, target)
	} else {
		err = tool.SendLink(ctx, stdout, target, wait)
	}
	switch {
	case errors.Is(err, reset.ErrUserNotFound):
		fmt.Fprintf(stderr, "pwreset %s: no user with %s; nothing was sent\n", cmd, target)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "pwreset %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseSupportArgs reads --login or --user-id (exactly one) and, for send-link, --wait.
func parseSupportArgs(cmd string, args []string) (reset.Target, bool, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var t reset.Target
	fs.StringVar(&t.Login, "login", "", "the user's login")
	fs.StringVar(&t.UserID, "user-id", "", "the user's verification id")
	wait := false
	if cmd == "send-link" {
		fs.BoolVar(&wait, "wait", false, "wait for the delivery")
	}
	fs.VisitAll(func(f *flag.Flag) { f.Value = &once{Value: f.Value, name: f.Name} })
	if err := fs.Parse(args); err != nil {
		return t, false, err
	}
	switch {
	case fs.NArg() > 0:
		return t, false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case (t.Login == "") == (t.UserID == ""):
		return t, false, errors.New("name the user with exactly one of --login X or --user-id ID")
	}
	return t, wait, nil
}

// once is a flag that refuses a second value: the flag package keeps the last one
// without a word, and `link --login a --login b` would quietly act for b.
type once struct {
	flag.Value
	name string
	set  bool
}

func (o *once) Set(s string) error {
	if o.set {
		return fmt.Errorf("--%s given twice: give it once", o.name)
	}
	o.set = true
	return o.Value.Set(s)
}

// IsBoolFlag keeps a boolean flag (--wait) usable without a value.
func (o *once) IsBoolFlag() bool {
	b, ok := o.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
