package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// RateLimiter traces the calls of a ports.RateLimiter. Keys are not recorded: they
// hold client addresses and user ids.
type RateLimiter struct {
	inner ports.RateLimiter
	steps steps
}

// NewRateLimiter traces inner's calls with tp's tracer.
func NewRateLimiter(inner ports.RateLimiter, tp trace.TracerProvider) *RateLimiter {
	return &RateLimiter{inner: inner, steps: newSteps(tp, "ratelimit")}
}

// Allow implements ports.RateLimiter.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	ctx, span := l.steps.start(ctx, "Allow")
	ok, retry, err := l.inner.Allow(ctx, key, limit, window, now)
	span.SetAttributes(attribute.Bool("pwreset.allowed", ok))
	end(span, err)
	return ok, retry, err
}

// Latest implements ports.RateLimiter.
func (l *RateLimiter) Latest(ctx context.Context, key string) (time.Time, error) {
	ctx, span := l.steps.start(ctx, "Latest")
	t, err := l.inner.Latest(ctx, key)
	end(span, err)
	return t, err
}

// Purge implements ports.RateLimiter.
func (l *RateLimiter) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	ctx, span := l.steps.start(ctx, "Purge")
	n, err := l.inner.Purge(ctx, cutoff)
	end(span, err)
	return n, err
}
