package mongo

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// AddLimited implements ports.Outbox, for now NOT atomically: it counts the limits
// with the RateLimiter of the outbox's database (collection "rate_limits"), then
// adds or discards the message, two writes a failure can separate. It stands until
// the limit events and the message become one write (issue 17).
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
func (o *Outbox) limiter() *RateLimiter {
	return NewRateLimiter(o.msgs.Database(), RateLimitConfig{Timeout: o.timeout})
}
