package reset

import (
	"context"
	"errors"
	"fmt"

	"github.com/pwreset/pwreset/ports"
)

// ResendNotice queues again, to the user as now stored, the password-changed
// notice that failed, and returns the new message's outbox id: a notice is never
// given up for good (`pwreset outbox retry`). It tells of the change at the time
// the failed one did: a held notice is stored dated when it fell due, the store
// timeout and a margin after the change. An unknown user is ErrUserNotFound, one
// without an address ErrNoEmail: nothing is queued then.
func (r *Resetter) ResendNotice(ctx context.Context, failed ports.Envelope) (string, error) {
	if failed.Message.Kind != KindPasswordChanged {
		return "", fmt.Errorf("message %s is a %s e-mail, not a password-changed notice", failed.ID, failed.Message.Kind)
	}
	user, err := r.users.FindByID(ctx, failed.Message.UserID)
	switch {
	case errors.Is(err, ports.ErrUserNotFound):
		return "", fmt.Errorf("user id %s: %w", failed.Message.UserID, ErrUserNotFound)
	case err != nil:
		return "", fmt.Errorf("look up user id %s: %w", failed.Message.UserID, err)
	case user.Email == "":
		return "", fmt.Errorf("user id %s: %w", user.ID, ErrNoEmail)
	}
	msg, err := r.noticeMessage(user, nil, failed.CreatedAt.Add(-r.noticeHold()))
	if err != nil {
		return "", err
	}
	msg.ID = requeueID(failed) // concurrent retries store one
	id, err := r.outbox.Add(ctx, msg, r.clock.Now())
	if err != nil {
		return "", fmt.Errorf("queue the password-changed e-mail of user %s: %w", user.ID, err)
	}
	return id, nil
}
