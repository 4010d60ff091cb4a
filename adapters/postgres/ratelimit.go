package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/ports"
)

// RateLimiter is the ports.RateLimiter of the table pwreset_rate_limits (see
// Migrate), shared by every instance of the service. An event is one row
// (key, at). Allow is one call of the function pwreset_rate_limit_allow, which
// checks and records under an advisory lock on the key: every limit is exact
// under races, limit 1 included, at READ COMMITTED (see Connect). The limits of a
// link request are counted by Outbox.AddLimited, in the same table.
type RateLimiter struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns the limiter on pool; timeout bounds each call
// (DefaultTimeout if ≤ 0). Migrate must have run.
func NewRateLimiter(pool *pgxpool.Pool, timeout time.Duration) *RateLimiter {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &RateLimiter{pool: pool, timeout: timeout}
}

// Allow implements ports.RateLimiter. Events after now count as well: only a clock
// set back, or an instance whose clock is ahead, records them, and counting them
// errs on the side of the limit.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if limit < 1 || window <= 0 {
		return false, 0, fmt.Errorf("postgres: rate limit of %d per %s: want at least 1 per positive window", limit, window)
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var blocking pgtype.Timestamptz
	err := r.pool.QueryRow(opCtx, "SELECT pwreset_rate_limit_allow($1, $2, $3, $4)",
		key, min(limit, 1<<31-1), now.Add(-window), now).Scan(&blocking)
	if err != nil {
		// Keys stay out of the message: they hold e-mail and IP addresses.
		return false, 0, translateWrite(ctx, "rate limiter: allow an event", err)
	}
	if blocking.Valid {
		return false, blocking.Time.Add(window).Sub(now), nil
	}
	return true, 0, nil
}

// Latest implements ports.RateLimiter.
func (r *RateLimiter) Latest(ctx context.Context, key string) (time.Time, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var latest pgtype.Timestamptz
	err := r.pool.QueryRow(opCtx, "SELECT max(at) FROM pwreset_rate_limits WHERE key = $1", key).Scan(&latest)
	if err != nil {
		return time.Time{}, translate(ctx, "rate limiter: find the latest event", err)
	}
	if !latest.Valid {
		return time.Time{}, nil
	}
	return latest.Time.UTC(), nil
}

// Purge implements ports.RateLimiter. Its cutoff must be at least the longest
// window ago, or it lifts limits early. It keeps campaigns' events
// (ports.CampaignKeyPrefix), whose one-e-mail-per-user limit must hold however
// long a campaign is paused.
func (r *RateLimiter) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	tag, err := r.pool.Exec(opCtx, "DELETE FROM pwreset_rate_limits WHERE at < $1 AND NOT starts_with(key, $2)",
		cutoff, ports.CampaignKeyPrefix)
	if err != nil {
		return 0, translate(ctx, "rate limiter: purge old events", err)
	}
	return int(tag.RowsAffected()), nil
}
