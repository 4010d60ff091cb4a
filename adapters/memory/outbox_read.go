package memory

import (
	"context"
	"strings"

	"github.com/pwreset/pwreset/ports"
)

// Get implements ports.Outbox.
func (o *Outbox) Get(_ context.Context, id string) (ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.msgs[id]
	if !ok {
		return ports.Envelope{}, ports.ErrMessageNotFound
	}
	return e.env, nil
}

// Delete implements ports.Outbox.
func (o *Outbox) Delete(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.msgs[id]
	if !ok {
		return ports.ErrMessageNotFound
	}
	if e.slot >= 0 {
		o.due.remove(e)
		delete(o.msgs, id)
		o.count(e.env, -1)
		return nil
	}
	o.drop(e)
	o.compact()
	return nil
}

// Stats implements ports.Outbox; every state has a count, zero included. It walks
// the unfinished messages only: the counts are kept as messages change (count).
func (o *Outbox) Stats(_ context.Context) (ports.OutboxStats, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := ports.NewOutboxStats()
	for t, n := range o.counts {
		s.Add(t.state, t.event, n)
	}
	for _, e := range o.due {
		s.Oldest(isEvent(e.env), e.env.CreatedAt)
	}
	return s, nil
}

// MailWaiting implements ports.Outbox from the running counts.
func (o *Outbox) MailWaiting(_ context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[tally{ports.StatePending, false}] + o.counts[tally{ports.StateSending, false}], nil
}

// tally is what the outbox counts its messages by, for Stats.
type tally struct {
	state string
	event bool
}

// count adds d to the count of env's state and family: every message stored,
// dropped or moved to another state passes here.
func (o *Outbox) count(env ports.Envelope, d int) {
	o.counts[tally{env.State, isEvent(env)}] += d
}

// isEvent reports whether env holds a webhook event rather than an e-mail.
func isEvent(env ports.Envelope) bool {
	return strings.HasPrefix(env.Message.Kind, ports.EventKindPrefix)
}
