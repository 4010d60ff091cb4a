package memory_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestRateLimiterContract runs the shared suite. A store in memory is one limiter:
// every "instance" of the service is that same limiter.
func TestRateLimiterContract(t *testing.T) {
	contract.TestRateLimiter(t, func(*testing.T) func() ports.RateLimiter {
		l := memory.NewRateLimiter()
		return func() ports.RateLimiter { return l }
	})
}

func TestRateLimiterCapRace(t *testing.T) {
	contract.TestRateLimiterCapRace(t, func(*testing.T) func() ports.RateLimiter {
		l := memory.NewRateLimiter()
		return func() ports.RateLimiter { return l }
	})
}
