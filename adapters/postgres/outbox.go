package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/ports"
)

// Outbox is the ports.Outbox of the table pwreset_outbox (see Migrate), shared by
// every instance of the service. A message is one row; its id, a bigint, in
// decimal is the port's id.
//
// Whether a message is due and when a lease expires, PostgreSQL's clock (now())
// judges, so that instances whose clocks differ agree on who holds a message; the
// times callers pass are what they record, the due time of a message they add or
// reschedule included (ports.Outbox).
type Outbox struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	db      bool        // the database's now() is the store's clock
	clock   ports.Clock // otherwise this is, or else each caller's now
}

var _ ports.Outbox = (*Outbox)(nil)

// NewOutbox returns the outbox on pool; timeout bounds each call (DefaultTimeout
// if ≤ 0). Migrate must have run.
func NewOutbox(pool *pgxpool.Pool, timeout time.Duration) *Outbox {
	o := NewOutboxOnClock(pool, timeout, nil)
	o.db = true
	return o
}

// NewOutboxOnClock returns an outbox whose clock is clock instead of the
// database's, for simulations and tests that move time by hand; with clock nil,
// the now each caller passes stands in for it (as in the memory store built
// without a Clock).
func NewOutboxOnClock(pool *pgxpool.Pool, timeout time.Duration, clock ports.Clock) *Outbox {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Outbox{pool: pool, timeout: timeout, clock: clock}
}

// now is the parameter that stands for the store's clock in a statement,
// coalesce($n, now()): NULL for the database's own, else the time of the Outbox's
// clock or the caller's.
func (o *Outbox) now(caller time.Time) *time.Time {
	switch {
	case o.db:
		return nil
	case o.clock != nil:
		t := o.clock.Now()
		return &t
	}
	return &caller
}

// envelopeColumns are the columns scanEnvelope reads, in its order.
const envelopeColumns = `coalesce(chosen_id, id::text), state, attempts, created_at, next_attempt_at, lease_owner, lease_expires,
	finished_at, provider_id, last_error, kind, user_id, from_address, to_address, subject, body_text, body_html,
	traceparent`

// insertMessage stores nothing when the id its caller chose ($12) is taken.
const insertMessage = `INSERT INTO pwreset_outbox (state, created_at, next_attempt_at, finished_at, last_error,
	kind, user_id, from_address, to_address, subject, body_text, body_html, chosen_id, traceparent)
	VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
	ON CONFLICT (chosen_id) DO NOTHING RETURNING coalesce(chosen_id, id::text)`

// Add implements ports.Outbox.
func (o *Outbox) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	return o.insert(ctx, "add a message", ports.StatePending, now, nil, "", msg)
}

// Discard implements ports.Outbox: one insert like Add, of a row of the same
// shape without the body, so that a suppressed request costs what a queued one does.
func (o *Outbox) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	msg.Subject, msg.Text, msg.HTML = "", "", ""
	return o.insert(ctx, "discard a message", ports.StateSuppressed, now, now, reason, msg)
}

func (o *Outbox) insert(ctx context.Context, op, state string, now time.Time, finished any, reason string, m ports.Message) (string, error) {
	chosen, err := chosenID(m)
	if err != nil {
		return "", err
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var id string
	err = o.pool.QueryRow(opCtx, insertMessage, state, now, finished, reason,
		m.Kind, m.UserID, m.From, m.To, m.Subject, m.Text, m.HTML, chosen, m.TraceParent).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return m.ID, nil // stored before under the id its caller chose: nothing new
	}
	if err != nil {
		return "", translateWrite(ctx, "outbox: "+op, err)
	}
	return id, nil
}

// Get implements ports.Outbox.
func (o *Outbox) Get(ctx context.Context, id string) (ports.Envelope, error) {
	where, n, ok := messageID(id)
	if !ok {
		return ports.Envelope{}, ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rows, _ := o.pool.Query(opCtx, "SELECT "+envelopeColumns+" FROM pwreset_outbox WHERE "+where, n)
	env, err := pgx.CollectExactlyOneRow(rows, scanEnvelope)
	if errors.Is(err, pgx.ErrNoRows) {
		return ports.Envelope{}, ports.ErrMessageNotFound
	}
	if err != nil {
		return ports.Envelope{}, translate(ctx, "outbox: get message "+id, err)
	}
	return env, nil
}

// Delete implements ports.Outbox.
func (o *Outbox) Delete(ctx context.Context, id string) error {
	where, n, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tag, err := o.pool.Exec(opCtx, "DELETE FROM pwreset_outbox WHERE "+where, n)
	if err != nil {
		return translate(ctx, "outbox: delete message "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}

// messageID reads a port's id into a filter on $1 and its value: the canonical
// decimal of the bigint id, or an id a caller chose (chosen_id), so that each
// message answers to exactly one id.
func messageID(id string) (where string, value any, ok bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil && n > 0 && strconv.FormatInt(n, 10) == id {
		return "id = $1", n, true
	}
	return "chosen_id = $1", id, ports.CheckMessageID(id) == nil
}

// chosenID is the chosen_id of m: NULL when the store chooses.
func chosenID(m ports.Message) (*string, error) {
	if m.ID == "" {
		return nil, nil
	}
	if err := ports.CheckMessageID(m.ID); err != nil {
		return nil, fmt.Errorf("postgres: outbox: %w", err)
	}
	return &m.ID, nil
}

// scanEnvelope reads a row of envelopeColumns. Times come back in UTC.
func scanEnvelope(row pgx.CollectableRow) (ports.Envelope, error) {
	var e ports.Envelope
	var leaseExpires, finished pgtype.Timestamptz
	m := &e.Message
	err := row.Scan(&e.ID, &e.State, &e.Attempts, &e.CreatedAt, &e.NextAttemptAt, &e.LeaseOwner, &leaseExpires,
		&finished, &e.ProviderID, &e.LastError, &m.Kind, &m.UserID, &m.From, &m.To, &m.Subject, &m.Text, &m.HTML,
		&m.TraceParent)
	e.CreatedAt, e.NextAttemptAt = e.CreatedAt.UTC(), e.NextAttemptAt.UTC()
	if leaseExpires.Valid {
		e.LeaseExpires = leaseExpires.Time.UTC()
	}
	if finished.Valid {
		e.FinishedAt = finished.Time.UTC()
	}
	return e, err
}
