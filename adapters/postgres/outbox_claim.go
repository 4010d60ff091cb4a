package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/ports"
)

// claimMessage leases the earliest due message. The inner SELECT locks it, and
// skips those other workers hold locked, so racing workers each get a message of
// their own, or none, without waiting for each other. A claimed message's
// next_attempt_at is its lease expiry, when it is due again if its worker dies: so
// "due" is one comparison for pending and sending messages alike, served by the
// partial index pwreset_outbox_due.
// Both are judged by the database's clock, coalesce($2, now()) (see Outbox).
const claimMessage = `UPDATE pwreset_outbox SET state = 'sending', attempts = attempts + 1,
	lease_owner = $1, lease_expires = coalesce($2, now()) + $3::bigint * interval '1 microsecond',
	next_attempt_at = coalesce($2, now()) + $3::bigint * interval '1 microsecond'
	WHERE id = (SELECT id FROM pwreset_outbox
	            WHERE state IN ('pending', 'sending') AND next_attempt_at <= coalesce($2, now())
	            ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
	RETURNING ` + envelopeColumns

// Claim implements ports.Outbox.
func (o *Outbox) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rows, _ := o.pool.Query(opCtx, claimMessage, owner, o.now(now), lease.Microseconds())
	env, err := pgx.CollectExactlyOneRow(rows, scanEnvelope)
	if errors.Is(err, pgx.ErrNoRows) {
		return ports.Envelope{}, ports.ErrNothingDue
	}
	if err != nil {
		return ports.Envelope{}, translate(ctx, "outbox: claim a message", err)
	}
	return env, nil
}

// MarkSent implements ports.Outbox.
func (o *Outbox) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	return o.settle(ctx, "mark sent", id, owner, `state = 'sent', finished_at = $3, provider_id = $4,`+erase, at, providerID)
}

// MarkFailed implements ports.Outbox.
func (o *Outbox) MarkFailed(ctx context.Context, id, owner, reason string, at time.Time) error {
	return o.settle(ctx, "mark failed", id, owner, `state = 'failed', finished_at = $3, last_error = $4,`+erase, at, reason)
}

// Reschedule implements ports.Outbox; the lease is released.
func (o *Outbox) Reschedule(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return o.settle(ctx, "reschedule", id, owner,
		`state = 'pending', next_attempt_at = $3, last_error = $4, lease_owner = '', lease_expires = NULL`, next, lastError)
}

// erase ends a message's lease and erases its body, which holds the reset link:
// nobody needs it any more, and it must not outlive its use in backups.
const erase = ` subject = '', body_text = '', body_html = '', lease_owner = '', lease_expires = NULL`

// settle applies set to a message owner holds, in one atomic update filtered on
// the lease. A message that is gone reports ErrMessageNotFound; one leased to
// someone else, or settled, ErrLeaseLost.
//
// The state it must be in is the last parameter, not a literal: pgx prepares each
// statement and PostgreSQL plans a prepared one generically after five runs. With
// 'sending' written out, that plan can prove the predicate of pwreset_outbox_due
// and, made while the index was small (after a vacuum), read all of it for the id
// on every settle until the next ANALYZE: each dead entry since the last vacuum
// (issue 21). A parameter proves nothing, so the message is found by its key.
func (o *Outbox) settle(ctx context.Context, op, id, owner, set string, args ...any) error {
	where, n, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	args = append(append([]any{n, owner}, args...), "sending")
	tag, err := o.pool.Exec(opCtx, "UPDATE pwreset_outbox SET "+set+
		" WHERE "+where+" AND state = $"+strconv.Itoa(len(args))+" AND lease_owner = $2", args...)
	if err != nil {
		return translateWrite(ctx, "outbox: "+op+" message "+id, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var exists bool
	if err := o.pool.QueryRow(opCtx, "SELECT EXISTS (SELECT 1 FROM pwreset_outbox WHERE "+where+")", n).Scan(&exists); err != nil {
		return translate(ctx, "outbox: look message "+id+" up", err)
	}
	if !exists {
		return ports.ErrMessageNotFound
	}
	return ports.ErrLeaseLost
}
