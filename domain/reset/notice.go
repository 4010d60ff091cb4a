package reset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// noticeMargin is how long after the store timeout a held notice falls due: the
// time the process that wrote it takes to release or withdraw it once the write's
// outcome is known.
const noticeMargin = 10 * time.Second

// cleanupTimeout bounds the release or withdrawal of a held notice, which may come
// after the store timeout ran out.
const cleanupTimeout = 5 * time.Second

// notice is a password-changed e-mail held in the outbox while its password is
// written; the zero notice is none (notices off, or the user has no address).
type notice struct {
	id     string // the held message's outbox id
	userID string // whom it is about, for the log
}

// hold stores the password-changed notice of user in the outbox before the new
// password is written, due only after the store timeout and a margin. Whatever
// stops this process from then on (kill -9, a power cut) leaves the notice to be
// delivered by any process: no password changes unnoticed. The price is that a
// crash after the notice is stored and before the write lands sends a notice of
// a change that did not happen, the lesser evil. An error means nothing was
// written and the reset must stop.
func (r *Resetter) hold(ctx context.Context, user ports.User, langs []string) (notice, error) {
	if !r.cfg.ChangedNotification || user.Email == "" {
		return notice{}, nil
	}
	now := r.clock.Now()
	msg, err := r.noticeMessage(user, langs, now)
	if err != nil {
		return notice{}, err
	}
	id, err := r.box.Add(ctx, msg, now.Add(r.noticeHold()))
	if err != nil {
		return notice{}, fmt.Errorf("hold the password-changed e-mail in the outbox before the change: %w", err)
	}
	return notice{id: id, userID: msg.UserID}, nil
}

// noticeHold is how long after the change a held notice falls due.
func (r *Resetter) noticeHold() time.Duration { return r.storeTimeout() + noticeMargin }

// noticeMessage renders the password-changed e-mail to user of a change at the
// time at, in the user's language or else the first supported of langs.
func (r *Resetter) noticeMessage(user ports.User, langs []string, at time.Time) (ports.Message, error) {
	lang := r.emails.Changed.language(user, langs)
	when := r.emails.Changed.FormatTime(lang, at)
	msg, err := r.emails.Changed.Render(lang, r.cfg.From, user, map[string]string{"changed_at": when})
	if err != nil {
		return msg, fmt.Errorf("render the password-changed e-mail: %w", err)
	}
	return msg, nil
}

// release sends the notice of a change that was made at once: the held message
// becomes due now, in one write. Should that fail (or this process die before),
// the held notice still goes out when due, late; never is there none, nor two.
func (r *Resetter) release(ctx context.Context, n notice) {
	if n.id == "" {
		return
	}
	ctx, cancel := r.cleanupContext(ctx)
	defer cancel()
	// ErrMessageNotFound: it is no longer pending, so a worker has it already (it
	// fell due while the write was slow), or an operator deleted it.
	if err := r.queue.Release(ctx, n.id); err != nil && !errors.Is(err, ports.ErrMessageNotFound) {
		r.log.WarnContext(ctx, "release the password-changed e-mail; it goes out when due",
			"user_id", n.userID, "outbox_id", n.id, "due_in", r.noticeHold().String(), "error", err)
	}
}

// withdraw deletes the notice of a change that surely was not made. If it cannot,
// the user is told of a change that did not happen, which the log says.
func (r *Resetter) withdraw(ctx context.Context, n notice) {
	if n.id == "" {
		return
	}
	ctx, cancel := r.cleanupContext(ctx)
	defer cancel()
	if err := r.box.Delete(ctx, n.id); err != nil && !errors.Is(err, ports.ErrMessageNotFound) {
		r.log.ErrorContext(ctx, "delete the password-changed e-mail of a change that was not made; it goes out all the same",
			"user_id", n.userID, "outbox_id", n.id, "error", err)
	}
}

// cleanupContext is ctx (the store's) with a deadline of its own, for the store's
// may have passed.
func (r *Resetter) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
