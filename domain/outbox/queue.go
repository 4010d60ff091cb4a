package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Queue is what the use cases send e-mail through (reset.Outbox). It only stores a
// message in the outbox, so that a request never waits on the mail provider and a
// stored message is delivered even if this process stops; the Dispatcher does the
// sending, woken for what falls due at once.
type Queue struct {
	box ports.Outbox
	d   *Dispatcher
}

// NewQueue returns a queue storing messages in box and waking d for each; d may be nil
// where another process does the sending.
func NewQueue(box ports.Outbox, d *Dispatcher) *Queue {
	return &Queue{box: box, d: d}
}

// Release makes the held message id due at at, the caller's now, in one write
// (ports.Outbox.Release), and wakes this process's dispatcher to send it.
func (q *Queue) Release(ctx context.Context, id string, at time.Time) error {
	if err := q.box.Release(ctx, id, at); err != nil {
		return fmt.Errorf("release message %s in the outbox: %w", id, err)
	}
	q.d.Wake()
	return nil
}

// AddLimited stores a message in one write with the limit events that count it
// (ports.Outbox.AddLimited), and wakes this process's dispatcher. It returns the
// message's outbox id, and which limit refused it (-1: none).
//
// It wakes the dispatcher for every message stored, suppressed or refused ones too,
// although only a pending one can be claimed: so that a link request does the same
// work whether its link goes out or not (issue 18 item 8). A needless wake costs one
// claim that finds nothing, by an idle worker, after the answer.
func (q *Queue) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := q.box.AddLimited(ctx, m, now)
	if err != nil {
		return "", 0, fmt.Errorf("store the message in the outbox: %w", err)
	}
	q.d.Wake()
	return id, refused, nil
}

// Add stores msg due at due (ports.Outbox.Add) and wakes no dispatcher: what the
// use cases add is held until the change it tells of is made (then Release wakes
// one), or queued again by `pwreset outbox retry`, a process that sends nothing.
func (q *Queue) Add(ctx context.Context, msg ports.Message, due time.Time) (string, error) {
	return q.box.Add(ctx, msg, due)
}

// LatestEvent is ports.Outbox.LatestEvent.
func (q *Queue) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	return q.box.LatestEvent(ctx, key)
}

// Delete is ports.Outbox.Delete.
func (q *Queue) Delete(ctx context.Context, id string) error {
	return q.box.Delete(ctx, id)
}
