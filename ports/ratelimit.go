package ports

import (
	"context"
	"fmt"
	"time"
)

// RateLimiter keeps sliding-window counts of events, shared by every instance of the
// service (MongoDB), so that limits hold however many instances run.
//
//go:generate go tool mockgen -destination=../mocks/ratelimit.go -package=mocks . RateLimiter
type RateLimiter interface {
	// Allow records an event of key at now, unless key already had limit events in
	// the window (now-window, now]: then nothing is recorded, and it returns false and
	// how long until the oldest of those events leaves the window.
	Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (ok bool, retryAfter time.Duration, err error)
	// AllowAll records an event at now of each limit's key, all or none: only if
	// every limit has room, as Allow would find it. Otherwise it records nothing
	// and returns the index of the first limit (in the order given) without room,
	// and how long until it has room; refused is -1 when all were recorded. One
	// call checks the several limits of one request in one step, so that a refusal
	// by any of them counts against none (and, on a network, costs one exchange
	// rather than one per limit). The keys must differ. Undo takes back each event.
	AllowAll(ctx context.Context, limits []Limit, now time.Time) (refused int, retryAfter time.Duration, err error)
	// Undo removes the event that Allow recorded for key at at, so that a request that
	// failed after it was counted (the outbox was down, say) does not count: its retry
	// is not held back by a cooldown it never benefited from. Nothing to remove is no
	// error. The caller passes the same key and now it gave Allow.
	Undo(ctx context.Context, key string, at time.Time) error
	// Latest returns when the last event of key was recorded; zero if none is kept.
	Latest(ctx context.Context, key string) (time.Time, error)
	// Purge deletes the events recorded before cutoff and returns how many.
	Purge(ctx context.Context, cutoff time.Time) (int, error)
}

// Limit is one sliding-window limit of AllowAll and Outbox.AddLimited: at most Max
// events of Key in any Window. Max 1 is a cooldown. Every store keeps every limit
// exact when hits race.
type Limit struct {
	Key    string
	Max    int
	Window time.Duration
	// Reason is what a message this limit refuses is stored suppressed with (AddLimited).
	Reason string
}

// CheckLimits returns an error naming what is wrong with limits for AllowAll and
// AddLimited: a limit below 1, a window that is not positive, or a key given twice.
// The error wraps ErrWriteRefused: a store refuses such limits and writes nothing.
func CheckLimits(limits []Limit) error {
	seen := make(map[string]bool, len(limits))
	for i, l := range limits {
		if l.Max < 1 || l.Window <= 0 {
			return fmt.Errorf("rate limit %d: %d per %s: want at least 1 per positive window: %w", i, l.Max, l.Window, ErrWriteRefused)
		}
		if seen[l.Key] {
			return fmt.Errorf("rate limit %d: its key is that of an earlier limit; give each key once: %w", i, ErrWriteRefused)
		}
		seen[l.Key] = true
	}
	return nil
}
