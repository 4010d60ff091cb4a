package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/ports"
)

// claimMessages leases up to $4 of the earliest due messages in one statement, as
// claimMessage leases one: SKIP LOCKED hands racing workers disjoint batches, and
// the database's clock judges due times and leases. The outer SELECT returns them
// in the order they were due.
const claimMessages = `WITH due AS (
	  SELECT id, next_attempt_at AS was FROM pwreset_outbox
	  WHERE state IN ('pending', 'sending') AND next_attempt_at <= coalesce($2, now())
	  ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
	claimed AS (
	  UPDATE pwreset_outbox o SET state = 'sending', attempts = o.attempts + 1,
	    lease_owner = $1, lease_expires = coalesce($2, now()) + $3::bigint * interval '1 microsecond',
	    next_attempt_at = coalesce($2, now()) + $3::bigint * interval '1 microsecond'
	  FROM due WHERE o.id = due.id
	  RETURNING o.*, due.was)
	SELECT ` + envelopeColumns + ` FROM claimed ORDER BY was, id`

// ClaimBatch implements ports.Outbox in one statement.
func (o *Outbox) ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	if n < 1 {
		return nil, nil
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rows, _ := o.pool.Query(opCtx, claimMessages, owner, o.now(now), lease.Microseconds(), n)
	envs, err := pgx.CollectRows(rows, scanEnvelope)
	if err != nil {
		return nil, translate(ctx, "outbox: claim messages", err)
	}
	return envs, nil
}
