package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pwreset/pwreset/ports"
)

// AddLimited implements ports.Outbox in one statement, a call of the function
// pwreset_add_limited (migration 0003; 0004 adds KeepBody, 0006 the traceparent): under the advisory locks of the keys it
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
	chosen, err := chosenID(m.Message)
	if err != nil {
		return "", 0, err
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	msg := m.Message
	args := []any{keys, maxes, sinces, reasons, m.Suppress, now, o.dueNow(now),
		msg.Kind, msg.UserID, msg.From, msg.To, msg.Subject, msg.Text, msg.HTML, m.KeepBody, msg.TraceParent}
	if chosen != nil {
		return o.addLimitedChosen(ctx, opCtx, *chosen, args)
	}
	var id string
	var refused int32
	err = o.pool.QueryRow(opCtx, addLimitedCall, args...).Scan(&id, &refused)
	if err != nil {
		// Keys stay out of the message: they hold e-mail and IP addresses.
		return "", 0, translateWrite(ctx, "outbox: add a message with its limits", err)
	}
	return id, int(refused), nil
}

const addLimitedCall = `SELECT id::text, refused FROM pwreset_add_limited($1, $2, $3, $4, $5, $6, $7,
	$8, $9, $10, $11, $12, $13, $14, $15, $16)`

// addLimitedChosen is AddLimited of a message under the id its caller chose: the
// call and the naming of its row in one transaction, which an id stored before
// rolls back, so that adding again counts and stores nothing new. (Three
// statements, for `pwreset outbox retry` only; a link request names no id.)
func (o *Outbox) addLimitedChosen(ctx, opCtx context.Context, chosen string, args []any) (string, int, error) {
	var refused int32
	err := pgx.BeginFunc(opCtx, o.pool, func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(opCtx, addLimitedCall, args...).Scan(&id, &refused); err != nil {
			return err
		}
		_, err := tx.Exec(opCtx, "UPDATE pwreset_outbox SET chosen_id = $1 WHERE id = $2::bigint", chosen, id)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "pwreset_outbox_chosen_id_key" {
		return chosen, -1, nil
	}
	if err != nil {
		return "", 0, translateWrite(ctx, "outbox: add a message with its limits under its id", err)
	}
	return chosen, int(refused), nil
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
