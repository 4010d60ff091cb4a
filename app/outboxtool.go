package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// OutboxTool is the `pwreset outbox` command: it shows the outbox and requeues
// failed messages.
type OutboxTool struct {
	box      ports.Outbox
	sender   *reset.LinkSender
	resetter *reset.Resetter
	clock    ports.Clock
}

// NewOutboxTool returns the outbox command.
func NewOutboxTool(box ports.Outbox, sender *reset.LinkSender, resetter *reset.Resetter, clock ports.Clock) *OutboxTool {
	return &OutboxTool{box: box, sender: sender, resetter: resetter, clock: clock}
}

// PrintStats writes the counts by state, the age of the oldest unsent message and
// the failed messages; e-mails and webhook events apart where the outbox counts
// them apart (what waits and what failed), since a mail provider and an events
// receiver fail apart.
func (t *OutboxTool) PrintStats(ctx context.Context, w io.Writer) error {
	st, err := t.box.Stats(ctx)
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	for _, state := range ports.States {
		line := fmt.Sprintf("%-10s %d", state, st.Counts[state])
		if slices.Contains(ports.SplitStates, state) {
			line = fmt.Sprintf("%-17s (e-mails %d, events %d)", line, st.Mail.Counts[state], st.Events.Counts[state])
		}
		fmt.Fprintln(w, line)
	}
	if st.OldestPending.IsZero() {
		fmt.Fprintln(w, "oldest unsent: none")
	} else {
		fmt.Fprintf(w, "oldest unsent: %s (e-mails %s, events %s)\n",
			t.age(st.OldestPending), t.age(st.Mail.OldestPending), t.age(st.Events.OldestPending))
	}
	return t.printFailed(ctx, w)
}

// age says how old a message created at created is; "none" for the zero time.
func (t *OutboxTool) age(created time.Time) string {
	if created.IsZero() {
		return "none"
	}
	// A held password-changed notice is stored as created when due: never less than 0.
	return max(t.clock.Now().Sub(created), 0).Round(time.Second).String() + " old"
}

// printFailed lists the dead letters, oldest first, with why each failed: what an
// operator requeues with `pwreset outbox retry`. Never the recipient or the body.
func (t *OutboxTool) printFailed(ctx context.Context, w io.Writer) error {
	failed, err := t.box.Failed(ctx)
	if err != nil {
		return fmt.Errorf("list the failed messages: %w", err)
	}
	if len(failed) == 0 {
		return nil
	}
	fmt.Fprintln(w, "failed messages (requeue with `pwreset outbox retry <id>` or `--failed`):")
	for _, env := range failed {
		fmt.Fprintf(w, "  %s  %s  %s  %s\n", env.ID, env.Message.Kind,
			env.FinishedAt.UTC().Format(time.RFC3339), env.LastError)
	}
	return nil
}

// Retry requeues the failed messages with the given ids, or all failed ones when ids
// is empty. A link e-mail gets a fresh link (the old one may have expired); a
// password-changed notice is sent again, telling of the same change; a campaign's
// e-mail is sent again with a fresh link, past the campaign's once-per-user limit;
// an event is sent again under its own id; the failed record is then deleted. It
// reports each message on w.
func (t *OutboxTool) Retry(ctx context.Context, w io.Writer, ids []string) error {
	failed, err := t.box.Failed(ctx)
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if !slices.ContainsFunc(failed, func(e ports.Envelope) bool { return e.ID == id }) {
			errs = append(errs, fmt.Errorf("message %s is not a failed message of the outbox", id))
		}
	}
	for _, env := range failed {
		if len(ids) > 0 && !slices.Contains(ids, env.ID) {
			continue
		}
		if err := t.requeue(ctx, env); err != nil {
			errs = append(errs, fmt.Errorf("message %s: %w", env.ID, err))
			continue
		}
		fmt.Fprintf(w, "requeued %s (%s)\n", env.ID, env.Message.Kind)
	}
	return errors.Join(errs...)
}

func (t *OutboxTool) requeue(ctx context.Context, env ports.Envelope) error {
	switch env.Message.Kind {
	case reset.KindResetLink:
		if _, err := t.sender.ResendLink(ctx, env); err != nil {
			return err
		}
	case reset.KindBreachReset:
		if _, err := t.sender.ResendBreach(ctx, env); err != nil {
			return err
		}
	case reset.KindPasswordChanged:
		if _, err := t.resetter.ResendNotice(ctx, env); err != nil {
			return err
		}
	default:
		if !event.IsKind(env.Message.Kind) {
			return fmt.Errorf("messages of kind %q cannot be requeued", env.Message.Kind)
		}
		if _, err := t.resetter.ResendEvent(ctx, env); err != nil {
			return err
		}
	}
	// Not found: a concurrent retry requeued it too (under the same id) and deleted it.
	if err := t.box.Delete(ctx, env.ID); err != nil && !errors.Is(err, ports.ErrMessageNotFound) {
		return err
	}
	return nil
}
