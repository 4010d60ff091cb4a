package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// RateLimiter keeps rate-limit events in memory: the limits hold within one
// process only, and start afresh when it restarts.
type RateLimiter struct {
	mu     sync.Mutex
	events map[string][]time.Time // by key, in the order they were recorded
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns a limiter that holds no events.
func NewRateLimiter() *RateLimiter { return &RateLimiter{events: map[string][]time.Time{}} }

// Allow implements ports.RateLimiter. Events after now count as well: only a clock
// set back records them, and counting them errs on the side of the limit.
func (r *RateLimiter) Allow(_ context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if limit < 1 || window <= 0 {
		return false, 0, fmt.Errorf("memory: rate limit of %d per %s: want at least 1 per positive window", limit, window)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	since := now.Add(-window)
	var in []time.Time
	for _, at := range r.events[key] {
		if at.After(since) {
			in = append(in, at)
		}
	}
	if len(in) < limit {
		r.events[key] = append(r.events[key], now)
		return true, 0, nil
	}
	// A hit is allowed again once fewer than limit events remain in the window:
	// when the limit-th newest leaves it. Usually that is the oldest; not when the
	// window is longer than that of earlier hits.
	slices.SortFunc(in, func(a, b time.Time) int { return b.Compare(a) })
	return false, in[limit-1].Add(window).Sub(now), nil
}

// Undo implements ports.RateLimiter.
func (r *RateLimiter) Undo(_ context.Context, key string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	events := r.events[key]
	if i := slices.IndexFunc(events, at.Equal); i >= 0 {
		r.events[key] = slices.Delete(events, i, i+1)
	}
	if len(r.events[key]) == 0 {
		delete(r.events, key)
	}
	return nil
}

// Latest implements ports.RateLimiter.
func (r *RateLimiter) Latest(_ context.Context, key string) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var latest time.Time
	for _, at := range r.events[key] {
		if at.After(latest) {
			latest = at
		}
	}
	return latest, nil
}

// Purge implements ports.RateLimiter.
func (r *RateLimiter) Purge(_ context.Context, cutoff time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for key, events := range r.events {
		kept := slices.DeleteFunc(events, func(at time.Time) bool { return at.Before(cutoff) })
		n += len(events) - len(kept)
		if len(kept) == 0 {
			delete(r.events, key) // so that the map does not grow with every key ever seen
		} else {
			r.events[key] = kept
		}
	}
	return n, nil
}
