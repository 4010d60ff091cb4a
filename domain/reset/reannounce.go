package reset

import (
	"context"
	"fmt"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// ResendEvent queues again an event that failed (`pwreset outbox retry`), under
// its own id, so that a receiver that did take it after all drops the copy, and
// returns the new message's outbox id. The body of a finished message is erased,
// so the event is built again from what stays: its kind, user and id, and the
// time it was stored, which for a password.changed event held with its change is
// the store timeout and a margin after the change.
func (r *Resetter) ResendEvent(ctx context.Context, failed ports.Envelope) (string, error) {
	typ := event.TypeOf(failed.Message.Kind)
	if !event.Known(typ) {
		return "", fmt.Errorf("message %s is a %s message, not an event", failed.ID, failed.Message.Kind)
	}
	at := failed.CreatedAt
	if typ == event.PasswordChanged {
		at = at.Add(-r.noticeHold())
	}
	msg, err := event.Message(event.ID(failed.Message), typ, failed.Message.UserID, at)
	if err != nil {
		return "", err
	}
	msg.ID = requeueID(failed) // concurrent retries store one
	id, err := r.outbox.Add(ctx, msg, r.clock.Now())
	if err != nil {
		return "", fmt.Errorf("queue the %s event of user %s: %w", typ, failed.Message.UserID, err)
	}
	return id, nil
}
