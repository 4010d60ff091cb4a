package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// AllowAll implements ports.RateLimiter: under one lock it finds the first limit
// without room, and records an event of every key only if there is none.
func (r *RateLimiter) AllowAll(_ context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	if err := ports.CheckLimits(limits); err != nil {
		return 0, 0, fmt.Errorf("memory: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, retry := r.firstFull(limits, now); i >= 0 {
		return i, retry, nil
	}
	r.recordAll(limits, now)
	return -1, 0, nil
}

// firstFull returns the index of the first limit without room at now, and how long
// until it has room; -1 if every one has. r.mu is held.
func (r *RateLimiter) firstFull(limits []ports.Limit, now time.Time) (int, time.Duration) {
	for i, l := range limits {
		if ev := r.keys[l.Key]; ev != nil {
			if retry, full := ev.full(l.Max, l.Window, now); full {
				return i, retry
			}
		}
	}
	return -1, 0
}

// recordAll records an event at now of every limit's key; r.mu is held.
func (r *RateLimiter) recordAll(limits []ports.Limit, now time.Time) {
	for _, l := range limits {
		r.allow(l.Key, l.Max, l.Window, now)
	}
}
