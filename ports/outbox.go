package ports

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNothingDue is returned by Outbox.Claim when no message is due.
var ErrNothingDue = errors.New("no message is due")

// ErrLeaseLost is returned when a message is no longer leased by the caller: its
// lease expired and another worker claimed it.
var ErrLeaseLost = errors.New("the message's lease was lost")

// ErrMessageNotFound is returned for an outbox id that does not exist.
var ErrMessageNotFound = errors.New("no such message in the outbox")

// States of an outbox message.
const (
	StatePending = "pending" // waiting for its next attempt
	StateSending = "sending" // claimed by a worker until its lease expires
	StateSent    = "sent"
	StateFailed  = "failed"
	// StateSuppressed is a message that was never to be sent (rate limit, unknown
	// user): stored all the same, so that answers take the same work and time.
	StateSuppressed = "suppressed"
)

// Envelope is a message in the outbox with its delivery record.
type Envelope struct {
	ID string
	// Message is the e-mail. Once sent or failed, its Subject, Text and HTML are erased
	// and only its metadata (Kind, From, To, UserID) stays.
	Message       Message
	State         string
	Attempts      int // attempts started so far
	CreatedAt     time.Time
	NextAttemptAt time.Time
	LeaseOwner    string
	LeaseExpires  time.Time
	FinishedAt    time.Time // when it was sent or failed
	ProviderID    string    // the mail provider's message id, once sent
	LastError     string    // why the last attempt failed, never the body
}

// Delivery is a message's delivery for Outbox.MarkSentBatch to record: what
// MarkSent's arguments are for one.
type Delivery struct {
	ID, Owner, ProviderID string
	At                    time.Time
}

// LimitedMessage is a message to store with the limit events that count it.
type LimitedMessage struct {
	Message Message
	Limits  []Limit // checked in order; keys differ (CheckLimits)
	// Suppress, when set, stores the message suppressed with this reason even when
	// every limit has room: it counts, but never goes out (a stranger's link).
	Suppress string
	// KeepBody keeps the message's subject and bodies when it is stored suppressed
	// (by Suppress or a limit), until it is purged, as a pending message keeps them
	// until it is sent: so that a message that never goes out is the same write as
	// one that does (issue 18 item 8). The caller makes sure the body holds no
	// credential (a stranger's decoy link). Without it, a suppressed message is
	// stored with its body erased.
	KeepBody bool
}

// Outbox stores messages durably until they are delivered. Any number of processes
// share one outbox: Claim hands each due message to one of them under a lease.
//
// Whose clock: the times a caller passes are what it records (CreatedAt,
// FinishedAt, limit events, the due time of a message it adds or reschedules).
// Whether a message is due, and when a lease expires, the store judges by its own
// clock (MongoDB $$NOW, PostgreSQL now(), the memory store the Clock it was built
// with), so that instances whose clocks differ agree on who holds a message. The
// now of Claim and Release stands in for the store's clock only where a store has
// none of its own (the memory store built without one, in tests). A message held
// back (added due later, the password-changed notice) falls due when the store's
// clock reaches the due time the caller gave: a caller's clock that is off by s
// shortens or lengthens the hold by s.
//
//go:generate go tool mockgen -destination=../mocks/outbox.go -package=mocks . Outbox
type Outbox interface {
	// Add stores msg as pending and due at now, and returns its id: msg.ID when set
	// (Message.ID), where adding an id the outbox holds stores nothing and returns it.
	// So do Discard and AddLimited (which then counts nothing either).
	Add(ctx context.Context, msg Message, now time.Time) (string, error)
	// Discard stores msg as suppressed with the reason: finished at now, never sent,
	// its body erased, purged like sent and failed messages. (AddLimited with
	// Suppress and no limits does the same; the use cases call that.)
	Discard(ctx context.Context, msg Message, reason string, now time.Time) (string, error)
	// AddLimited stores m.Message together with one event at now of each of m.Limits'
	// keys, in one atomic write: a failure, a lost reply, a hang-up or a crash leaves the
	// message and all its events, or neither. If every limit has room (fewer than Max
	// events of Key in (now-Window, now]) the events are recorded and the message is
	// stored pending and due at now (or suppressed with m.Suppress); refused is -1.
	// Otherwise nothing is counted, the message is stored suppressed (body erased
	// unless m.KeepBody) with the Reason of the first limit without room, and refused
	// is that limit's index.
	// Limits are exact however many callers race, on every store and isolation level.
	// Limits that CheckLimits refuses are an error wrapping ErrWriteRefused, and
	// nothing is stored.
	AddLimited(ctx context.Context, m LimitedMessage, now time.Time) (id string, refused int, err error)
	// LatestEvent returns when the newest event of key that AddLimited recorded was;
	// zero if none is kept.
	LatestEvent(ctx context.Context, key string) (time.Time, error)
	// Claim atomically leases the due message with the earliest NextAttemptAt to owner
	// for lease, counting an attempt. Due means pending with NextAttemptAt at or before
	// the store's now, or sending with an expired lease (its worker died); the lease
	// runs from the store's now too. ErrNothingDue if none is.
	// The owner names the lease, and only the lease: settling checks it alone, so
	// every claim needs an owner of its own (the Dispatcher numbers its claims), or
	// a worker whose lease expired could settle what a sibling claimed since.
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (Envelope, error)
	// ClaimBatch claims up to n due messages as Claim does, the earliest due first,
	// in one round trip where the store can; none due is an empty slice and no error.
	// They share owner: settling names the message as well as the lease, so a batch
	// needs one owner of its own, not one per message.
	ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]Envelope, error)
	// MarkSent records the delivery of a message owner holds, and erases its body.
	MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error
	// MarkSentBatch records several deliveries as MarkSent does each, in one round
	// trip where the store can (the Dispatcher settles what its workers sent
	// meanwhile together). It returns one result per delivery, in their order: nil,
	// or what MarkSent would have returned (ErrLeaseLost, ErrMessageNotFound, an
	// error of the store). Deliveries name different messages.
	MarkSentBatch(ctx context.Context, ds []Delivery) []error
	// MarkFailed gives up on a message owner holds, with the reason, and erases its body.
	MarkFailed(ctx context.Context, id, owner, reason string, at time.Time) error
	// Release makes a pending message due at at, which should be the caller's now (a
	// store with a clock of its own makes it due at its own now): a message held
	// back (added due later) goes out as soon as it is known that it should, in one
	// write, so that it is never there twice. A message that is not pending (being
	// sent, finished, or unknown) is left as it is: ErrMessageNotFound.
	Release(ctx context.Context, id string, at time.Time) error
	// Reschedule returns a message owner holds to pending, due at next.
	Reschedule(ctx context.Context, id, owner string, next time.Time, lastError string) error
	// Get returns one message.
	Get(ctx context.Context, id string) (Envelope, error)
	// Failed lists the failed messages, oldest first.
	Failed(ctx context.Context) ([]Envelope, error)
	// Delete removes one message.
	Delete(ctx context.Context, id string) error
	// Purge deletes the sent, failed and suppressed messages that finished before cutoff and
	// returns how many it deleted.
	Purge(ctx context.Context, cutoff time.Time) (int, error)
	// Stats counts the messages by state.
	Stats(ctx context.Context) (OutboxStats, error)
	// MailWaiting counts the e-mails (not events) pending or being sent, through
	// the store's index of unfinished messages where it has one: cheap however many
	// finished messages the outbox keeps, for a caller that asks often (a campaign
	// keeping pace with delivery). Stats counts every message.
	MailWaiting(ctx context.Context) (int, error)
}

// ErrBadMessageID wraps a Message.ID that CheckMessageID refuses.
var ErrBadMessageID = errors.New("bad outbox id")

// CheckMessageID accepts an id a caller may choose for a message: 8 to 64 letters,
// digits, '-' and '_', with at least one '-' or '_'. That mark keeps chosen ids apart
// from the ids stores give out (decimal numbers, ObjectId hex), so that no id
// names two messages.
func CheckMessageID(id string) error {
	marked := false
	for _, c := range id {
		switch {
		case c == '-' || c == '_':
			marked = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return fmt.Errorf("%w %q: only letters, digits, '-' and '_'", ErrBadMessageID, id)
		}
	}
	if len(id) < 8 || len(id) > 64 || !marked {
		return fmt.Errorf("%w %q: want 8 to 64 characters with a '-' or '_'", ErrBadMessageID, id)
	}
	return nil
}
