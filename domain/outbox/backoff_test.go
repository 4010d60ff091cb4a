package outbox

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const s, ms = time.Second, time.Millisecond
	cfg := Config{RetryMin: s, RetryMax: 10 * s}
	cases := []struct {
		name           string
		attempts       int
		retryAfter     time.Duration
		lowest, utmost time.Duration
	}{
		{"no attempt yet counts as the first", 0, 0, s / 2, s},
		{"first", 1, 0, s / 2, s},
		{"second doubles", 2, 0, s, 2 * s},
		{"third", 3, 0, 2 * s, 4 * s},
		{"fourth", 4, 0, 4 * s, 8 * s},
		{"capped", 5, 0, 5 * s, 10 * s},
		{"capped without overflow", 1000, 0, 5 * s, 10 * s},
		{"Retry-After below the step", 4, ms, 4 * s, 8 * s},
		{"Retry-After within the step", 4, 5 * s, 5 * s, 8 * s},
		{"Retry-After above the step", 1, 3 * s, 3 * s, 3 * s},
		{"Retry-After above the cap", 2, 30 * s, 30 * s, 30 * s},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			least, most := time.Duration(1<<62), time.Duration(0)
			for range 1000 {
				w := cfg.backoff(c.attempts, c.retryAfter)
				least, most = min(least, w), max(most, w)
			}
			if least < c.lowest || most > c.utmost {
				t.Fatalf("waits from %s to %s; want within [%s, %s]", least, most, c.lowest, c.utmost)
			}
			// Jitter: the waits spread over the range rather than sit at one point.
			if spread := c.utmost - c.lowest; most-least < spread/2 {
				t.Fatalf("waits from %s to %s spread too little over [%s, %s]", least, most, c.lowest, c.utmost)
			}
		})
	}
}
