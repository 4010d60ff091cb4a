package outbox

import (
	"math/rand/v2"
	"time"
)

// backoff returns how long to wait after the attempts-th attempt failed: RetryMin
// doubled for each attempt after the first, capped at RetryMax, with equal jitter (a
// random point in the upper half of that step). Jitter spreads out the messages that
// failed together in a provider outage, so they do not all come back at once; taking
// only the upper half keeps each wait at least half its step, where full jitter could
// retry at once. The wait is never shorter than retryAfter, the provider's own request,
// even above RetryMax: asking again sooner would only be refused again.
func (c Config) backoff(attempts int, retryAfter time.Duration) time.Duration {
	step := c.RetryMin
	// Doubling stops at the cap, so that no number of attempts overflows.
	for i := 1; i < attempts && step < c.RetryMax; i++ {
		step *= 2
	}
	step = min(step, c.RetryMax)
	wait := step - step/2 + c.jitter(step/2)
	return max(wait, retryAfter)
}

// jitter returns a random duration in [0, n].
func (c Config) jitter(n time.Duration) time.Duration {
	if c.Jitter != nil {
		return min(max(c.Jitter(n), 0), n)
	}
	return rand.N(n + 1)
}
