package ports

import (
	"context"
	"fmt"
	"math"
	"time"
)

// RateLimiter keeps sliding-window counts of events (per-IP throttling), shared by
// every instance of the service (the database), so that limits hold however many
// instances run. The limits of a link request are counted by the outbox instead,
// in one write with the link (Outbox.AddLimited).
//
//go:generate go tool mockgen -destination=../mocks/ratelimit.go -package=mocks . RateLimiter
type RateLimiter interface {
	// Allow records an event of key at now, unless key already had limit events in
	// the window (now-window, now]: then nothing is recorded, and it returns false and
	// how long until the oldest of those events leaves the window.
	Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (ok bool, retryAfter time.Duration, err error)
	// Latest returns when the last event of key was recorded; zero if none is kept.
	Latest(ctx context.Context, key string) (time.Time, error)
	// Purge deletes the events recorded before cutoff and returns how many.
	Purge(ctx context.Context, cutoff time.Time) (int, error)
}

// Limit is one sliding-window limit of Outbox.AddLimited: at most Max events of Key
// in any Window. Max 1 is a cooldown. Every store keeps every limit exact when
// hits race.
//
// A Max of math.MaxInt32 or more only records (RecordsOnly): it never refuses, so
// a store records its event without reading the key's events, whose number then
// would grow its cost (issue 21). The event counts toward other limits of the
// key all the same. Reaching math.MaxInt32 would take 24,855 events of one key a
// second for a day. The same holds for RateLimiter.Allow's limit.
type Limit struct {
	Key    string
	Max    int
	Window time.Duration
	// Reason is what a message this limit refuses is stored suppressed with (AddLimited).
	Reason string
}

// Unlimited is the Max of a limit that only records (see Limit).
const Unlimited = math.MaxInt32

// RecordsOnly reports whether l never refuses: its Max is Unlimited or more.
func (l Limit) RecordsOnly() bool { return RecordsOnly(l.Max) }

// RecordsOnly reports whether a limit of n events never refuses (see Limit).
func RecordsOnly(n int) bool { return n >= Unlimited }

// CheckLimits returns an error naming what is wrong with limits for AddLimited: a limit below 1, a window that is not positive, or a key given twice.
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
