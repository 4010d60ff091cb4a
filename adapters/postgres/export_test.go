package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SetLocalClock makes o read the time of the instance it runs in from now, for
// tests of instances whose clock is off.
func SetLocalClock(o *Outbox, now func() time.Time) { o.local = now }

// NewOutboxOnCallerClock returns an outbox on pool that takes the callers' times
// for the database's clock, for the contract suite, which moves time by hand.
func NewOutboxOnCallerClock(pool *pgxpool.Pool) *Outbox {
	o := NewOutbox(pool, 0)
	o.fixed = true
	return o
}
