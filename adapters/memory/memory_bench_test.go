package memory_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkOutboxCycle is the life of one link e-mail in demo mode (Add, Claim,
// MarkSent) after a history of messages: the cost must not grow with the history.
func BenchmarkOutboxCycle(b *testing.B) {
	for _, history := range []int{0, 100_000} {
		b.Run(fmt.Sprint("history=", history), func(b *testing.B) {
			ctx := context.Background()
			box := memory.NewOutbox()
			now := t0
			cycle := func() {
				now = now.Add(time.Millisecond)
				id, _ := box.Add(ctx, ports.Message{To: "demo@example.com", Text: "body"}, now)
				if _, err := box.Claim(ctx, "w", now, time.Minute); err != nil {
					b.Fatal(err)
				}
				if err := box.MarkSent(ctx, id, "w", "p", now); err != nil {
					b.Fatal(err)
				}
			}
			for range history {
				cycle()
			}
			b.ReportAllocs()
			for b.Loop() {
				cycle()
			}
		})
	}
}

// BenchmarkRateLimiterAllow is send-link's three limiter calls on one user's keys,
// with the caps the benchmark harness switches off (math.MaxInt32), after a history.
func BenchmarkRateLimiterAllow(b *testing.B) {
	for _, history := range []int{0, 100_000} {
		b.Run(fmt.Sprint("history=", history), func(b *testing.B) {
			ctx := context.Background()
			l := memory.NewRateLimiter()
			now := t0
			hit := func() {
				now = now.Add(time.Millisecond)
				l.Allow(ctx, "reset_link:global", math.MaxInt32, time.Hour, now)
				l.Allow(ctx, "reset_link:user:1", math.MaxInt32, 24*time.Hour, now)
				l.Allow(ctx, "ip:send:127.0.0.1", 10, 10*time.Minute, now)
			}
			for range history {
				hit()
			}
			b.ReportAllocs()
			for b.Loop() {
				hit()
			}
		})
	}
}
