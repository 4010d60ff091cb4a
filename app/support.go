package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// SupportSet holds the Wire providers of the support commands (`pwreset link`,
// `pwreset send-link`): Core without a server.
var SupportSet = wire.NewSet(Core, wire.Value(Listener{}), NewSupportTool)

// ErrNotDelivered is returned by SendLink with wait when the e-mail failed or was not
// sent within MAIL_MAX_AGE.
var ErrNotDelivered = errors.New("the e-mail was not delivered")

// deliveryPoll is how often `send-link --wait` looks at the outbox.
const deliveryPoll = 500 * time.Millisecond

// SupportTool is the `pwreset link` and `pwreset send-link` commands, with which
// support staff help a user whose e-mail never came.
type SupportTool struct {
	sender *reset.LinkSender
	box    ports.Outbox
	clock  ports.Clock
	maxAge time.Duration
}

// NewSupportTool returns the support commands.
func NewSupportTool(cfg Config, sender *reset.LinkSender, box ports.Outbox, clock ports.Clock) *SupportTool {
	return &SupportTool{sender: sender, box: box, clock: clock, maxAge: cfg.Outbox.MaxAge}
}

// Link prints a valid link for the target user, and sends nothing.
func (s *SupportTool) Link(ctx context.Context, w io.Writer, t reset.Target) error {
	url, err := s.sender.IssueLink(ctx, t)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, url)
	return nil
}

// SendLink queues the link e-mail to the target user. With wait, it then follows the
// message in the outbox until a running instance has sent it, it failed, or
// MAIL_MAX_AGE has passed, and reports each step on w.
func (s *SupportTool) SendLink(ctx context.Context, w io.Writer, t reset.Target, wait bool) error {
	id, err := s.sender.SendLink(ctx, t)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "queued %s (outbox id %s)\n", t, id)
	if !wait {
		return nil
	}
	return s.await(ctx, w, id)
}

// await polls the outbox for message id until it is settled.
func (s *SupportTool) await(ctx context.Context, w io.Writer, id string) error {
	deadline := s.clock.Now().Add(s.maxAge)
	t := time.NewTicker(deliveryPoll)
	defer t.Stop()
	attempts := 0
	for {
		env, err := s.box.Get(ctx, id)
		if err != nil && !errors.Is(err, ports.ErrUnavailable) {
			return fmt.Errorf("read message %s from the outbox: %w", id, err)
		}
		if err == nil {
			if done, err := settled(w, env, attempts); done {
				return err
			}
			attempts = env.Attempts
		}
		if s.clock.Now().After(deadline) {
			return fmt.Errorf("%w within MAIL_MAX_AGE (%s): is a `pwreset serve` running against this outbox? "+
				"`pwreset outbox` shows it", ErrNotDelivered, s.maxAge)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; message %s stays queued: %w", id, ctx.Err())
		case <-t.C:
		}
	}
}

// settled prints the failure of an attempt newer than attempts, and reports
// whether env is settled: nil when it was sent, ErrNotDelivered when it failed.
func settled(w io.Writer, env ports.Envelope, attempts int) (bool, error) {
	if env.Attempts > attempts && env.LastError != "" {
		fmt.Fprintf(w, "attempt %d failed: %s\n", env.Attempts, env.LastError)
	}
	switch env.State {
	case ports.StateSent:
		fmt.Fprintf(w, "sent to %s at %s after %d attempt(s), provider id %s\n", env.Message.To,
			env.FinishedAt.UTC().Format(time.RFC3339), env.Attempts, env.ProviderID)
		return true, nil
	case ports.StateFailed:
		return true, fmt.Errorf("%w: it failed after %d attempt(s): %s", ErrNotDelivered, env.Attempts, env.LastError)
	}
	return false, nil
}
