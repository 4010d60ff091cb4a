package reset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// noticeMargin is how long after the store timeout a held notice falls due: the
// time the process that wrote it takes to release or withdraw it once the write's
// outcome is known.
const noticeMargin = 10 * time.Second

// cleanupTimeout bounds the release or withdrawal of a held notice, which may come
// after the store timeout ran out.
const cleanupTimeout = 5 * time.Second

// held is what a change holds in the outbox while its password is written: the
// password-changed notice and the password.changed event, each when configured
// (the notice also needs an address). The zero held is nothing.
type held struct {
	msgs   []heldMessage
	userID string // whom they are about, for the log
}

// heldMessage is one message held in the outbox.
type heldMessage struct {
	id   string // its outbox id
	what string // what it is, for the log
}

// hold stores the password-changed notice and event of user in the outbox before
// the new password is written, due only after the store timeout and a margin.
// Whatever stops this process from then on (kill -9, a power cut) leaves them to
// be delivered by any process: no password changes unnoticed or unannounced. The
// price is that a crash after they are stored and before the write lands sends
// word of a change that did not happen, the lesser evil. An error means the reset
// must stop; what was held is withdrawn by the ids chosen for it, the failed
// hold's included, whose write may have applied with its answer lost.
func (r *Resetter) hold(ctx context.Context, user ports.User, langs []string) (held, error) {
	now := r.clock.Now()
	msgs, err := r.changeMessages(user, langs, now)
	if err != nil {
		return held{}, err
	}
	h := held{userID: user.ID}
	for _, m := range msgs {
		// The id is chosen before the write: a hold whose answer is lost may have
		// been stored, and is withdrawn by that id all the same.
		if m.msg.ID, err = r.heldID(); err != nil {
			r.withdraw(ctx, h)
			return held{}, err
		}
		h.msgs = append(h.msgs, heldMessage{id: m.msg.ID, what: m.what})
		id, err := r.outbox.Add(ctx, m.msg, now.Add(r.noticeHold()))
		if err != nil {
			r.withdraw(ctx, h)
			return held{}, fmt.Errorf("hold the %s in the outbox before the change: %w", m.what, err)
		}
		h.msgs[len(h.msgs)-1].id = id // the chosen one (ports.Outbox)
	}
	return h, nil
}

// changeMessage is a message that tells of a change, and what it is for the log.
type changeMessage struct {
	msg  ports.Message
	what string
}

// changeMessages returns what tells of a change of user's password at now: the
// notice when configured and the user has an address, the password.changed
// event when configured.
func (r *Resetter) changeMessages(user ports.User, langs []string, now time.Time) ([]changeMessage, error) {
	var msgs []changeMessage
	if r.cfg.ChangedNotification && user.Email != "" {
		msg, err := r.noticeMessage(user, langs, now)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, changeMessage{msg, "password-changed e-mail"})
	}
	if r.cfg.ChangeEvent {
		msg, err := event.Message(event.NewID(), event.PasswordChanged, user.ID, now)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, changeMessage{msg, event.PasswordChanged + " event"})
	}
	return msgs, nil
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

// release sends what a change that was made held, at once: each held message
// becomes due now, in one write. Should that fail (or this process die before),
// it still goes out when due, late; never is there none, nor two.
func (r *Resetter) release(ctx context.Context, h held) {
	if len(h.msgs) == 0 {
		return
	}
	ctx, cancel := r.cleanupContext(ctx)
	defer cancel()
	for _, m := range h.msgs {
		// ErrMessageNotFound: it is no longer pending, so a worker has it already
		// (it fell due while the write was slow), or an operator deleted it.
		if err := r.outbox.Release(ctx, m.id, r.clock.Now()); err != nil && !errors.Is(err, ports.ErrMessageNotFound) {
			r.log.WarnContext(ctx, "release the "+m.what+"; it goes out when due",
				"user_id", h.userID, "outbox_id", m.id, "due_in", r.noticeHold().String(), "error", err)
		}
	}
}

// withdraw deletes what a change that surely was not made held. What it cannot
// delete tells of a change that did not happen, which the log says.
func (r *Resetter) withdraw(ctx context.Context, h held) {
	if len(h.msgs) == 0 {
		return
	}
	ctx, cancel := r.cleanupContext(ctx)
	defer cancel()
	for _, m := range h.msgs {
		if err := r.outbox.Delete(ctx, m.id); err != nil && !errors.Is(err, ports.ErrMessageNotFound) {
			r.log.ErrorContext(ctx, "delete the "+m.what+" of a change that was not made; it goes out all the same",
				"user_id", h.userID, "outbox_id", m.id, "error", err)
		}
	}
}

// cleanupContext is ctx (the store's) with a deadline of its own, for the store's
// may have passed.
func (r *Resetter) cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
