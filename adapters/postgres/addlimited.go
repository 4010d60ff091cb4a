package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pwreset/pwreset/ports"
)

// AddLimited implements ports.Outbox in one statement, a call of the function
// pwreset_add_limited (migration 0003; 0004 adds KeepBody, 0005 the traceparent): under the advisory locks of the keys it
// checks every limit, records the events and inserts the message, pending or
// suppressed, in the statement's one transaction. So a failure, a lost reply or a
// hang-up leaves both or neither, and one request costs one round trip.
func (o *Outbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	if err := ports.CheckLimits(m.Limits); err != nil {
		return "", 0, err
	}
	n := len(m.Limits)
	keys, maxes, sinces, reasons := make([]string, n), make([]int32, n), make([]time.Time, n), make([]string, n)
	for i, l := range m.Limits {
		keys[i], maxes[i], sinces[i], reasons[i] = l.Key, int32(min(l.Max, 1<<31-1)), now.Add(-l.Window), l.Reason
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	msg := m.Message
	var id string
	var refused int32
	err := o.pool.QueryRow(opCtx, `SELECT id::text, refused FROM pwreset_add_limited($1, $2, $3, $4, $5, $6, $7,
		$8, $9, $10, $11, $12, $13, $14, $15, $16)`, keys, maxes, sinces, reasons, m.Suppress, now, o.dueNow(now),
		msg.Kind, msg.UserID, msg.From, msg.To, msg.Subject, msg.Text, msg.HTML, m.KeepBody, msg.TraceParent).Scan(&id, &refused)
	if err != nil {
		// Keys stay out of the message: they hold e-mail and IP addresses.
		return "", 0, translateWrite(ctx, "outbox: add a message with its limits", err)
	}
	return id, int(refused), nil
}

// dueNow is when a message added at now is due: now, or the store's now if that
// is earlier (a caller whose clock is ahead must not delay its message); NULL
// stands for the database's, for pwreset_add_limited to read.
func (o *Outbox) dueNow(now time.Time) *time.Time {
	due := o.now(now)
	if due != nil && now.Before(*due) {
		return &now
	}
	return due
}

// LatestEvent implements ports.Outbox: the newest event of key in
// pwreset_rate_limits, where AddLimited records them.
func (o *Outbox) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var latest pgtype.Timestamptz
	err := o.pool.QueryRow(opCtx, "SELECT max(at) FROM pwreset_rate_limits WHERE key = $1", key).Scan(&latest)
	if err != nil {
		return time.Time{}, translate(ctx, "outbox: find the latest limit event", err)
	}
	if !latest.Valid {
		return time.Time{}, nil
	}
	return latest.Time.UTC(), nil
}
