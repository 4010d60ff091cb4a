package memory

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// DefaultMaxFinished is how many finished (sent, failed, suppressed) messages an
// Outbox keeps at most, unless told otherwise: enough to look a recent one up, and
// well under a MiB, which the garbage collector scans in every cycle.
const DefaultMaxFinished = 1000

// OutboxBounds bound the memory an Outbox holds for finished messages; pending and
// sending ones are always kept.
type OutboxBounds struct {
	// Retention drops a finished message once a later one finished more than
	// Retention after it, without waiting for Purge; 0 leaves that to Purge.
	Retention time.Duration
	// MaxFinished drops the oldest finished messages beyond this many; 0 means
	// DefaultMaxFinished.
	MaxFinished int
}

// Outbox keeps the mail outbox in memory, for demo mode and tests. Its messages are
// shared by the workers of one process only, and are lost when it stops.
//
// Its cost per call does not grow with the messages it has handled: the unfinished
// messages wait in a heap ordered by NextAttemptAt (Claim is O(log n)), and the
// finished ones in a queue in the order they finished, trimmed as it grows.
//
// Its AddLimited counts in a RateLimiter whose events it shares (NewStore), under
// that limiter's lock, which is the outbox's too: one lock makes the write atomic.
type Outbox struct {
	mu       *sync.Mutex // the events' too
	events   *RateLimiter
	clock    ports.Clock // judges due times and leases; nil: the caller's now does
	bounds   OutboxBounds
	seq      int // the last id given out; ids are never reused, so a deleted id stays unknown
	msgs     map[string]*entry
	due      dueHeap  // pending and sending messages
	finished finished // sent, failed and suppressed messages
	counts   map[tally]int
}

type entry struct {
	env  ports.Envelope
	seq  int // breaks ties between messages due at the same time: first stored, first claimed
	slot int // index in the due heap; -1 once finished
}

// NewOutbox returns an empty outbox that keeps DefaultMaxFinished finished messages.
// It has no clock of its own: the now its callers pass judges due times and leases,
// which suits tests that drive one clock. Its AddLimited counts in a limiter of its
// own; NewStore shares one.
func NewOutbox() *Outbox { return NewBoundedOutbox(OutboxBounds{}) }

// NewBoundedOutbox is NewOutbox keeping finished messages within b.
func NewBoundedOutbox(b OutboxBounds) *Outbox { return newOutbox(b, NewRateLimiter(), nil) }

// Store is what one database would hold: an outbox and a rate limiter that share
// their events, so that the limiter's Latest and the outbox's LatestEvent agree and
// AddLimited counts against the limits Allow counts against.
type Store struct {
	Outbox  *Outbox
	Limiter *RateLimiter
}

// NewStore returns an empty outbox, bounded by b, and an empty limiter sharing its
// events. clock is the store's own: it judges due times and leases, whatever the
// callers' clocks say, as a database server's clock would; nil leaves that to the
// callers' now.
func NewStore(clock ports.Clock, b OutboxBounds) Store {
	l := NewRateLimiter()
	return Store{Outbox: newOutbox(b, l, clock), Limiter: l}
}

func newOutbox(b OutboxBounds, events *RateLimiter, clock ports.Clock) *Outbox {
	if b.MaxFinished <= 0 {
		b.MaxFinished = DefaultMaxFinished
	}
	return &Outbox{mu: events.mu, events: events, clock: clock, bounds: b, msgs: map[string]*entry{}, counts: map[tally]int{}}
}

// now is the store's time: its clock's, or else the caller's.
func (o *Outbox) now(caller time.Time) time.Time {
	if o.clock == nil {
		return caller
	}
	return o.clock.Now()
}

var _ ports.Outbox = (*Outbox)(nil)

// Add implements ports.Outbox; ids are decimal counters, unless the caller chose one.
func (o *Outbox) Add(_ context.Context, msg ports.Message, now time.Time) (string, error) {
	if err := checkID(msg); err != nil {
		return "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.hasID(msg.ID) {
		return msg.ID, nil
	}
	return o.pending(msg, now), nil
}

// Discard implements ports.Outbox: the same work as Add, so that a suppressed
// request cannot be told from a queued one by its timing.
func (o *Outbox) Discard(_ context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	if err := checkID(msg); err != nil {
		return "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.hasID(msg.ID) {
		return msg.ID, nil
	}
	return o.suppressed(msg, reason, now), nil
}

// pending stores msg due at now and returns its id; o.mu is held.
func (o *Outbox) pending(msg ports.Message, now time.Time) string {
	e := o.store(ports.Envelope{Message: msg, State: ports.StatePending, CreatedAt: now, NextAttemptAt: now})
	o.due.push(e)
	return e.env.ID
}

// suppressed stores msg suppressed with reason, its body erased, and returns its
// id; o.mu is held.
func (o *Outbox) suppressed(msg ports.Message, reason string, now time.Time) string {
	return o.suppressedKeeping(msg, reason, now, false)
}

// suppressedKeeping is suppressed keeping the body when keep is set
// (LimitedMessage.KeepBody): then the message is the same as a pending one but for
// its state, and is filed with the finished ones; o.mu is held.
func (o *Outbox) suppressedKeeping(msg ports.Message, reason string, now time.Time, keep bool) string {
	e := o.store(ports.Envelope{Message: msg, State: ports.StateSuppressed,
		CreatedAt: now, NextAttemptAt: now, FinishedAt: now, LastError: reason})
	if !keep {
		erase(&e.env)
	}
	e.slot = -1
	o.finish(e)
	return e.env.ID
}

// checkID checks the id a caller chose for msg, if any.
func checkID(msg ports.Message) error {
	if msg.ID == "" {
		return nil
	}
	if err := ports.CheckMessageID(msg.ID); err != nil {
		return fmt.Errorf("memory: outbox: %w", err)
	}
	return nil
}

// hasID says whether a caller-chosen id names a message already; o.mu is held.
func (o *Outbox) hasID(id string) bool {
	_, ok := o.msgs[id]
	return id != "" && ok
}

// store gives env the id its caller chose, or else the next one, and keeps it.
func (o *Outbox) store(env ports.Envelope) *entry {
	o.seq++
	env.ID, env.Message.ID = env.Message.ID, ""
	if env.ID == "" {
		env.ID = strconv.Itoa(o.seq)
	}
	e := &entry{seq: o.seq, env: env}
	o.msgs[env.ID] = e
	o.count(env, 1)
	return e
}

// Claim implements ports.Outbox. A claimed message's NextAttemptAt moves to its lease
// expiry, when it is due again if its worker dies; so "due" is one comparison for
// pending and sending messages alike, and the heap's first message is the one to take.
func (o *Outbox) Claim(_ context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	env, ok := o.claimLocked(owner, o.now(now), lease)
	if !ok {
		return ports.Envelope{}, ports.ErrNothingDue
	}
	return env, nil
}

// claimLocked leases the first due message, if one is due at now; o.mu is held.
func (o *Outbox) claimLocked(owner string, now time.Time, lease time.Duration) (ports.Envelope, bool) {
	next := o.due.first()
	if next == nil || next.env.NextAttemptAt.After(now) {
		return ports.Envelope{}, false
	}
	env := &next.env
	o.setState(next, ports.StateSending)
	env.LeaseOwner, env.LeaseExpires = owner, now.Add(lease)
	env.NextAttemptAt = env.LeaseExpires
	env.Attempts++
	o.due.fix(next)
	return *env, true
}

// MarkSent implements ports.Outbox.
func (o *Outbox) MarkSent(_ context.Context, id, owner, providerID string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.markSent(id, owner, providerID, at)
}

// markSent is MarkSent with o.mu held.
func (o *Outbox) markSent(id, owner, providerID string, at time.Time) error {
	return o.settleHeld(id, owner, func(e *entry) {
		o.setState(e, ports.StateSent)
		e.env.ProviderID, e.env.FinishedAt = providerID, at
		erase(&e.env)
		o.due.remove(e)
		o.finish(e)
	})
}

// MarkFailed implements ports.Outbox.
func (o *Outbox) MarkFailed(_ context.Context, id, owner, reason string, at time.Time) error {
	return o.settle(id, owner, func(e *entry) {
		o.setState(e, ports.StateFailed)
		e.env.LastError, e.env.FinishedAt = reason, at
		erase(&e.env)
		o.due.remove(e)
		o.finish(e)
	})
}

// Release implements ports.Outbox: the message moves up the due heap to its new time.
func (o *Outbox) Release(_ context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.msgs[id]
	if !ok || e.env.State != ports.StatePending {
		return ports.ErrMessageNotFound
	}
	e.env.NextAttemptAt = o.now(at)
	o.due.fix(e)
	return nil
}

// Reschedule implements ports.Outbox.
func (o *Outbox) Reschedule(_ context.Context, id, owner string, next time.Time, lastError string) error {
	return o.settle(id, owner, func(e *entry) {
		o.setState(e, ports.StatePending)
		e.env.NextAttemptAt, e.env.LastError = next, lastError
		e.env.LeaseOwner, e.env.LeaseExpires = "", time.Time{}
		o.due.fix(e)
	})
}

// settle applies change to a message owner holds. A message that was deleted while
// leased reports ErrMessageNotFound; one leased to someone else, or finished, ErrLeaseLost.
func (o *Outbox) settle(id, owner string, change func(*entry)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.settleHeld(id, owner, change)
}

// settleHeld is settle with o.mu held.
func (o *Outbox) settleHeld(id, owner string, change func(*entry)) error {
	e, ok := o.msgs[id]
	switch {
	case !ok:
		return ports.ErrMessageNotFound
	case e.env.State != ports.StateSending || e.env.LeaseOwner != owner:
		return ports.ErrLeaseLost
	}
	change(e)
	return nil
}

func (o *Outbox) setState(e *entry, state string) {
	o.count(e.env, -1)
	e.env.State = state
	o.count(e.env, 1)
}

// erase drops the body, which holds the link, once it is no longer needed.
func erase(e *ports.Envelope) { e.Message.Subject, e.Message.Text, e.Message.HTML = "", "", "" }
