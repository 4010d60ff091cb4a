package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// TestLimitExactUnderRace: unlike the MongoDB limiter, every limit holds exactly
// under races, not only limit 1: of 12 instances hitting one key with limit 3 at
// once, exactly 3 are allowed, in each of several rounds.
func TestLimitExactUnderRace(t *testing.T) {
	url := pgtest.NewSchema(t)
	if _, err := postgres.Migrate(testCtx(t), pgtest.Pool(t, url)); err != nil {
		t.Fatal(err)
	}
	const racers, limit, w = 12, 3, time.Minute
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	limiters := make([]*postgres.RateLimiter, racers)
	for i := range limiters {
		limiters[i] = postgres.NewRateLimiter(pgtest.Pool(t, url), 0)
	}
	for round := range 3 {
		at := t0.Add(time.Duration(round) * w)
		oks := make([]bool, racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i, l := range limiters {
			wg.Go(func() { oks[i], _, errs[i] = l.Allow(testCtx(t), "race", limit, w, at) })
		}
		wg.Wait()
		allowed := 0
		for i, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
			if oks[i] {
				allowed++
			}
		}
		if allowed != limit {
			t.Fatalf("round %d: %d of %d racing hits allowed, want exactly %d", round, allowed, racers, limit)
		}
	}
}
