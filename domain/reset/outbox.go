package reset

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Outbox is the part of the outbox the use cases work with: the one handle each
// holds. Its methods are ports.Outbox's, so any store is one; what app wires is
// domain/outbox.Queue, which also wakes this process's dispatcher for what falls
// due at once (AddLimited, Release).
type Outbox interface {
	// AddLimited queues a link e-mail, or stores it suppressed (a stranger's, an
	// operator's printed link, one a limit refused), in one write with the limit
	// events that count it: ports.Outbox.AddLimited.
	AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (id string, refused int, err error)
	// LatestEvent returns when the newest event of key was (a user's latest link):
	// ports.Outbox.LatestEvent.
	LatestEvent(ctx context.Context, key string) (time.Time, error)
	// Add holds a message until due (the password-changed notice and event while the
	// password is written), or queues one due now (a retried notice or event):
	// ports.Outbox.Add.
	Add(ctx context.Context, msg ports.Message, due time.Time) (string, error)
	// Release makes a held message due at at, the caller's now, once the change it
	// tells of is made: ports.Outbox.Release.
	Release(ctx context.Context, id string, at time.Time) error
	// Delete withdraws a held message of a change that was not made:
	// ports.Outbox.Delete.
	Delete(ctx context.Context, id string) error
}
