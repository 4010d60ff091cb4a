package memory

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Outbox keeps the mail outbox in memory, for demo mode and tests. Its messages are
// shared by the workers of one process only, and are lost when it stops.
type Outbox struct {
	mu   sync.Mutex
	seq  int // the last id given out; ids are never reused, so a deleted id stays unknown
	msgs map[string]*entry
}

type entry struct {
	env ports.Envelope
	seq int // breaks ties between messages due at the same time: first stored, first claimed
}

// NewOutbox returns an empty outbox.
func NewOutbox() *Outbox { return &Outbox{msgs: map[string]*entry{}} }

// Add implements ports.Outbox; ids are decimal counters.
func (o *Outbox) Add(_ context.Context, msg ports.Message, now time.Time) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	id := strconv.Itoa(o.seq)
	o.msgs[id] = &entry{seq: o.seq, env: ports.Envelope{ID: id, Message: msg, State: ports.StatePending,
		CreatedAt: now, NextAttemptAt: now}}
	return id, nil
}

// Discard implements ports.Outbox: the same work as Add, so that a suppressed
// request cannot be told from a queued one by its timing.
func (o *Outbox) Discard(_ context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	id := strconv.Itoa(o.seq)
	e := &entry{seq: o.seq, env: ports.Envelope{ID: id, Message: msg, State: ports.StateSuppressed,
		CreatedAt: now, NextAttemptAt: now, FinishedAt: now, LastError: reason}}
	erase(&e.env)
	o.msgs[id] = e
	return id, nil
}

// Claim implements ports.Outbox. A claimed message's NextAttemptAt moves to its lease
// expiry, when it is due again if its worker dies; so "due" is one comparison for
// pending and sending messages alike (the same trick serves one index in MongoDB).
func (o *Outbox) Claim(_ context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var next *entry
	for _, e := range o.msgs {
		if !due(e.env, now) {
			continue
		}
		if next == nil || cmp.Or(e.env.NextAttemptAt.Compare(next.env.NextAttemptAt), cmp.Compare(e.seq, next.seq)) < 0 {
			next = e
		}
	}
	if next == nil {
		return ports.Envelope{}, ports.ErrNothingDue
	}
	env := &next.env
	env.State, env.LeaseOwner, env.LeaseExpires = ports.StateSending, owner, now.Add(lease)
	env.NextAttemptAt = env.LeaseExpires
	env.Attempts++
	return *env, nil
}

func due(e ports.Envelope, now time.Time) bool {
	switch e.State {
	case ports.StatePending:
		return !e.NextAttemptAt.After(now)
	case ports.StateSending:
		return !e.LeaseExpires.After(now)
	}
	return false
}

// MarkSent implements ports.Outbox.
func (o *Outbox) MarkSent(_ context.Context, id, owner, providerID string, at time.Time) error {
	return o.settle(id, owner, func(e *ports.Envelope) {
		e.State, e.ProviderID, e.FinishedAt = ports.StateSent, providerID, at
		erase(e)
	})
}

// MarkFailed implements ports.Outbox.
func (o *Outbox) MarkFailed(_ context.Context, id, owner, reason string, at time.Time) error {
	return o.settle(id, owner, func(e *ports.Envelope) {
		e.State, e.LastError, e.FinishedAt = ports.StateFailed, reason, at
		erase(e)
	})
}

// Reschedule implements ports.Outbox.
func (o *Outbox) Reschedule(_ context.Context, id, owner string, next time.Time, lastError string) error {
	return o.settle(id, owner, func(e *ports.Envelope) {
		e.State, e.NextAttemptAt, e.LastError = ports.StatePending, next, lastError
		e.LeaseOwner, e.LeaseExpires = "", time.Time{}
	})
}

// settle applies change to a message owner holds. A message that was deleted while
// leased reports ErrMessageNotFound; one leased to someone else, or finished, ErrLeaseLost.
func (o *Outbox) settle(id, owner string, change func(*ports.Envelope)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.msgs[id]
	switch {
	case !ok:
		return ports.ErrMessageNotFound
	case e.env.State != ports.StateSending || e.env.LeaseOwner != owner:
		return ports.ErrLeaseLost
	}
	change(&e.env)
	return nil
}

// erase drops the body, which holds the link, once it is no longer needed.
func erase(e *ports.Envelope) { e.Message.Subject, e.Message.Text, e.Message.HTML = "", "", "" }

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

// Failed implements ports.Outbox, oldest CreatedAt first.
func (o *Outbox) Failed(_ context.Context) ([]ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var failed []*entry
	for _, e := range o.msgs {
		if e.env.State == ports.StateFailed {
			failed = append(failed, e)
		}
	}
	slices.SortFunc(failed, func(a, b *entry) int {
		return cmp.Or(a.env.CreatedAt.Compare(b.env.CreatedAt), cmp.Compare(a.seq, b.seq))
	})
	envs := make([]ports.Envelope, len(failed))
	for i, e := range failed {
		envs[i] = e.env
	}
	return envs, nil
}

// Delete implements ports.Outbox.
func (o *Outbox) Delete(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.msgs[id]; !ok {
		return ports.ErrMessageNotFound
	}
	delete(o.msgs, id)
	return nil
}

// Purge implements ports.Outbox.
func (o *Outbox) Purge(_ context.Context, cutoff time.Time) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for id, e := range o.msgs {
		finished := e.env.State == ports.StateSent || e.env.State == ports.StateFailed ||
			e.env.State == ports.StateSuppressed
		if finished && e.env.FinishedAt.Before(cutoff) {
			delete(o.msgs, id)
			n++
		}
	}
	return n, nil
}

// Stats implements ports.Outbox; every state has a count, zero included.
func (o *Outbox) Stats(_ context.Context) (ports.OutboxStats, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := ports.OutboxStats{Counts: map[string]int{
		ports.StatePending: 0, ports.StateSending: 0, ports.StateSent: 0, ports.StateFailed: 0,
		ports.StateSuppressed: 0}}
	for _, e := range o.msgs {
		s.Counts[e.env.State]++
		unfinished := e.env.State == ports.StatePending || e.env.State == ports.StateSending
		if unfinished && (s.OldestPending.IsZero() || e.env.CreatedAt.Before(s.OldestPending)) {
			s.OldestPending = e.env.CreatedAt
		}
	}
	return s, nil
}
