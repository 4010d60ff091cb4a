package memory

import (
	"context"

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
		o.counts[e.env.State]--
		return nil
	}
	o.drop(e)
	o.compact()
	return nil
}

// Stats implements ports.Outbox; every state has a count, zero included. It walks
// the unfinished messages only.
func (o *Outbox) Stats(_ context.Context) (ports.OutboxStats, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := ports.OutboxStats{Counts: map[string]int{}}
	for _, state := range []string{ports.StatePending, ports.StateSending, ports.StateSent,
		ports.StateFailed, ports.StateSuppressed} {
		s.Counts[state] = o.counts[state]
	}
	for _, e := range o.due {
		if s.OldestPending.IsZero() || e.env.CreatedAt.Before(s.OldestPending) {
			s.OldestPending = e.env.CreatedAt
		}
	}
	return s, nil
}
