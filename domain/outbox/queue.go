package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Queue is what the use cases send e-mail through. It only stores a message in the
// outbox, so that a request never waits on the mail provider and a stored message is
// delivered even if this process stops; the Dispatcher does the sending.
type Queue struct {
	box   ports.Outbox
	d     *Dispatcher
	clock ports.Clock
}

// NewQueue returns a queue storing messages in box and waking d for each; d may be nil
// where another process does the sending.
func NewQueue(box ports.Outbox, d *Dispatcher, clock ports.Clock) *Queue {
	return &Queue{box: box, d: d, clock: clock}
}

// Release implements ports.Releaser: the held message becomes due now, in one
// write, and this process's dispatcher is woken to send it.
func (q *Queue) Release(ctx context.Context, id string) error {
	if err := q.box.Release(ctx, id, q.clock.Now()); err != nil {
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
