package ports

import (
	"context"
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
