package memory

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// AllowAll implements ports.RateLimiter: under one lock it finds the first limit
// without room, and records an event of every key only if there is none.
func (r *RateLimiter) AllowAll(_ context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	if err := ports.CheckLimits(limits); err != nil {
		return 0, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range limits {
		if ev := r.keys[l.Key]; ev != nil {
			if retry, full := ev.full(l.Max, l.Window, now); full {
				return i, retry, nil
			}
		}
	}
	for _, l := range limits {
		r.allow(l.Key, l.Max, l.Window, now)
	}
	return -1, 0, nil
}
