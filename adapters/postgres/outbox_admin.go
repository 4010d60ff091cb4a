package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pwreset/pwreset/ports"
)

// Failed implements ports.Outbox, oldest CreatedAt first (then in order of arrival).
func (o *Outbox) Failed(ctx context.Context) ([]ports.Envelope, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rows, _ := o.pool.Query(opCtx, "SELECT "+envelopeColumns+" FROM pwreset_outbox WHERE state = 'failed' ORDER BY created_at, id")
	envs, err := pgx.CollectRows(rows, scanEnvelope)
	if err != nil {
		return nil, translate(ctx, "outbox: list failed messages", err)
	}
	return envs, nil
}

// Purge implements ports.Outbox.
func (o *Outbox) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tag, err := o.pool.Exec(opCtx, `DELETE FROM pwreset_outbox
		WHERE state IN ('sent', 'failed', 'suppressed') AND finished_at < $1`, cutoff)
	if err != nil {
		return 0, translate(ctx, "outbox: purge finished messages", err)
	}
	return int(tag.RowsAffected()), nil
}

// Stats implements ports.Outbox; every state has a count, zero included. One
// query reads the table once, grouping by state and by family (event or e-mail).
func (o *Outbox) Stats(ctx context.Context) (ports.OutboxStats, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	s := ports.NewOutboxStats()
	rows, _ := o.pool.Query(opCtx, `SELECT state, starts_with(kind, $1), count(*),
		min(created_at) FILTER (WHERE state IN ('pending', 'sending')) FROM pwreset_outbox GROUP BY 1, 2`,
		ports.EventKindPrefix)
	var state string
	var event bool
	var n int
	var oldest pgtype.Timestamptz
	_, err := pgx.ForEachRow(rows, []any{&state, &event, &n, &oldest}, func() error {
		s.Add(state, event, n)
		if oldest.Valid {
			s.Oldest(event, oldest.Time.UTC())
		}
		return nil
	})
	if err != nil {
		return s, translate(ctx, "outbox: count messages by state", err)
	}
	return s, nil
}

// MailWaiting implements ports.Outbox. The states are written out, not passed:
// they are the predicate of pwreset_outbox_due, which then holds every row the
// count reads, however many finished ones the table keeps.
func (o *Outbox) MailWaiting(ctx context.Context) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var n int
	err := o.pool.QueryRow(opCtx, `SELECT count(*) FROM pwreset_outbox
		WHERE state IN ('pending', 'sending') AND NOT starts_with(kind, $1)`, ports.EventKindPrefix).Scan(&n)
	if err != nil {
		return 0, translate(ctx, "outbox: count the e-mails waiting", err)
	}
	return n, nil
}
