package postgres

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// AddLimited implements ports.Outbox, for now NOT atomically: it counts the limits
// with the RateLimiter on the outbox's pool, then adds or discards the message,
// two transactions a failure can separate. It stands until the limit events and
// the message become one transaction (issue 17).
func (o *Outbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	refused, _, err := o.limiter().AllowAll(ctx, m.Limits, now)
	if err != nil {
		return "", 0, err
	}
	reason := m.Suppress
	if refused >= 0 {
		reason = m.Limits[refused].Reason
	}
	var id string
	if refused >= 0 || reason != "" {
		id, err = o.Discard(ctx, m.Message, reason, now)
	} else {
		id, err = o.Add(ctx, m.Message, now)
	}
	return id, refused, err
}

// LatestEvent implements ports.Outbox: the limiter's Latest (see AddLimited).
func (o *Outbox) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	return o.limiter().Latest(ctx, key)
}

// limiter is the RateLimiter AddLimited counts in, for now.
func (o *Outbox) limiter() *RateLimiter { return NewRateLimiter(o.pool, o.timeout) }
