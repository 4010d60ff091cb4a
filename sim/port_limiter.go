package sim

import (
	"context"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// limiter is the RateLimiter as one task sees it.
type limiter struct {
	port
	inner ports.RateLimiter
}

// record notes an event of key at now that the limiter recorded for task.
func (l *limiter) record(task int, key string, now time.Time) *event {
	h := l.w.hist
	e := &event{task: task, key: key, at: now, seq: h.next()}
	h.events = append(h.events, e)
	if ip, ok := strings.CutPrefix(key, "ip:send-reset-password-link:"); ok {
		h.ipHits = append(h.ipHits, ipHit{ip: ip, at: now})
	}
	return e
}

// Allow implements ports.RateLimiter.
func (l *limiter) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	var ok bool
	var wait time.Duration
	task := l.t.id
	err := l.do(ctx, "limiter.Allow", true, func(c context.Context) error {
		var err error
		ok, wait, err = l.inner.Allow(c, key, limit, window, now)
		if err == nil && ok {
			l.record(task, key, now)
		}
		return err
	})
	return ok, wait, err
}

// Latest implements ports.RateLimiter.
func (l *limiter) Latest(ctx context.Context, key string) (time.Time, error) {
	var at time.Time
	err := l.do(ctx, "limiter.Latest", false, func(c context.Context) error {
		var err error
		at, err = l.inner.Latest(c, key)
		return err
	})
	return at, err
}

// Purge implements ports.RateLimiter.
func (l *limiter) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	err := l.do(ctx, "limiter.Purge", true, func(c context.Context) error {
		var err error
		n, err = l.inner.Purge(c, cutoff)
		return err
	})
	return n, err
}
