package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

const campaignUsage = `pwreset campaign: e-mail a reset link to every user after a breach.

  campaign start [--rate N] [--ids FILE | --ids -] [--where FIELD=VALUE]...
                 [--invalidate-passwords]
                             store a campaign and queue its e-mails, N a second
                             (default 10), none while more e-mails than
                             CAMPAIGN_MAX_BACKLOG (1,000) wait in the outbox; a
                             running serve delivers them. Every
                             user, or those whose ids FILE lists (one a line; -
                             reads standard input), or those whose FIELD holds
                             VALUE. Each user gets one e-mail, however often the
                             campaign is interrupted and resumed.
  campaign status [ID]       show one campaign, or all
  campaign pause ID          stop after the page being queued
  campaign resume ID         go on from where it stopped (after a pause, a crash,
                             a kill or Ctrl-C), on any instance
  campaign cancel ID         stop for good; what is queued still goes out

  --invalidate-passwords     MARKS EVERY SELECTED USER'S CURRENT PASSWORD UNUSABLE
                             before their e-mail is queued: from that moment they
                             cannot log in (nor can an attacker with the leaked
                             password) until they set a new one with the link.
                             With RESET_PASSWORD_ACTIVE_USERS_ONLY, such a user
                             cannot ask for another link: the campaign's is the
                             one they get. It cannot be undone.
`

// campaignCommand runs `pwreset campaign`: 0 on success, 1 when the campaign
// failed or stopped, 2 for a usage or configuration error.
func campaignCommand(args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, campaignUsage)
		return 2
	}
	sub, rest := args[0], args[1:]
	spec, err := parseCampaignArgs(sub, rest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "pwreset campaign %s: %v\n\n%s", sub, err, campaignUsage)
		return 2
	}
	cfg, ok := loadStored("campaign", "its campaigns", environ, stderr)
	if !ok {
		return 2
	}
	log := app.NewLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tool, cleanup, err := initCampaignTool(ctx, cfg, log, app.Output{Writer: stdout})
	if err != nil {
		fmt.Fprintf(stderr, "pwreset campaign: %v\n", err)
		return 1
	}
	defer cleanup()
	if err := runCampaign(ctx, tool, sub, rest, spec, stdout, terminal(stderr)); err != nil {
		fmt.Fprintf(stderr, "pwreset campaign %s: %v\n", sub, err)
		if errors.Is(err, ports.ErrCampaignNotFound) || errors.Is(err, ports.ErrCampaignState) {
			return 2
		}
		return 1
	}
	return 0
}

func runCampaign(ctx context.Context, tool *app.CampaignTool, sub string, rest []string, spec campaign.Spec, w, bar io.Writer) error {
	switch sub {
	case "start":
		return tool.Start(ctx, w, bar, spec)
	case "status":
		return tool.Status(ctx, w, strings.Join(rest, ""))
	case "pause":
		return tool.Pause(ctx, w, rest[0])
	case "resume":
		return tool.Resume(ctx, w, bar, rest[0])
	default: // cancel: parseCampaignArgs let nothing else through
		return tool.Cancel(ctx, w, rest[0])
	}
}

// parseCampaignArgs checks a subcommand's arguments and reads start's flags.
func parseCampaignArgs(sub string, args []string, stdin io.Reader) (campaign.Spec, error) {
	switch sub {
	case "start":
		return parseStart(args, stdin)
	case "status":
		if len(args) > 1 {
			return campaign.Spec{}, errors.New("takes at most one campaign id")
		}
	case "pause", "resume", "cancel":
		if len(args) != 1 || args[0] == "" {
			return campaign.Spec{}, errors.New("takes one campaign id (see pwreset campaign status)")
		}
	default:
		return campaign.Spec{}, fmt.Errorf("unknown subcommand %q", sub)
	}
	return campaign.Spec{}, nil
}

func parseStart(args []string, stdin io.Reader) (campaign.Spec, error) {
	fs := flag.NewFlagSet("campaign start", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spec := campaign.Spec{}
	fs.Float64Var(&spec.Rate, "rate", 10, "e-mails queued a second, at most")
	ids := fs.String("ids", "", "a file of user ids, one a line; - for standard input")
	fs.BoolVar(&spec.Invalidate, "invalidate-passwords", false, "mark current passwords unusable first")
	fs.Func("where", "FIELD=VALUE: users whose field holds the value", func(s string) error {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fmt.Errorf("--where %q: want FIELD=VALUE", s)
		}
		spec.Where = append(spec.Where, ports.Field{Name: name, Value: value})
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return spec, err
	}
	if fs.NArg() > 0 {
		return spec, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !(spec.Rate > 0) {
		return spec, fmt.Errorf("--rate %g: want more than 0 e-mails a second", spec.Rate)
	}
	if *ids == "" {
		return spec, nil
	}
	if len(spec.Where) > 0 {
		return spec, errors.New("--ids and --where select users two ways: give one")
	}
	var err error
	spec.IDs, err = readIDs(*ids, stdin)
	return spec, err
}

// readIDs reads one id a line from the file (standard input for -), skipping
// blank lines and lines starting with #.
func readIDs(path string, stdin io.Reader) ([]string, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--ids: %w", err)
		}
		defer f.Close()
		r = f
	}
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--ids %s: %w", path, err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("--ids %s: no user id in it", path)
	}
	return ids, nil
}

// terminal returns w if it is a terminal, for the progress bar; nil otherwise.
func terminal(w io.Writer) io.Writer {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return w
}
