package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pwreset/pwreset/ports"
)

// AllowAll implements ports.RateLimiter: one call of pwreset_rate_limit_allow_all,
// which checks and records every limit under the advisory locks of their keys.
func (r *RateLimiter) AllowAll(ctx context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	if err := ports.CheckLimits(limits); err != nil {
		return 0, 0, err
	}
	if len(limits) == 0 {
		return -1, 0, nil
	}
	keys := make([]string, len(limits))
	most := make([]int32, len(limits))
	sinces := make([]time.Time, len(limits))
	for i, l := range limits {
		keys[i], most[i], sinces[i] = l.Key, int32(min(l.Max, 1<<31-1)), now.Add(-l.Window)
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var refused int32
	var blocking pgtype.Timestamptz
	err := r.pool.QueryRow(opCtx, "SELECT refused, blocking FROM pwreset_rate_limit_allow_all($1, $2, $3, $4)",
		keys, most, sinces, now).Scan(&refused, &blocking)
	if err != nil {
		// Keys stay out of the message: they hold e-mail and IP addresses.
		return 0, 0, translate(ctx, "rate limiter: allow events", err)
	}
	if refused < 0 || !blocking.Valid {
		return -1, 0, nil
	}
	return int(refused), blocking.Time.Add(limits[refused].Window).Sub(now), nil
}
