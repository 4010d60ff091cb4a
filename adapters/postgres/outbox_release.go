package postgres

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// releaseMessage is completed by a filter on $1 (messageID). The state is a
// parameter ($3, 'pending') for the reason Outbox.settle gives: a generic plan must
// find the message by its key, not by a scan of pwreset_outbox_due.
const releaseMessage = `UPDATE pwreset_outbox SET next_attempt_at = coalesce($2, now()) WHERE state = $3 AND `

// Release implements ports.Outbox in one UPDATE, filtered on the state so that a
// message a worker has claimed meanwhile is left to it. The message is due at the
// store's now (see Outbox): at counts only where the caller's now is the clock.
func (o *Outbox) Release(ctx context.Context, id string, at time.Time) error {
	where, n, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tag, err := o.pool.Exec(opCtx, releaseMessage+where, n, o.now(at), "pending")
	if err != nil {
		return translateWrite(ctx, "outbox: release message "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}
