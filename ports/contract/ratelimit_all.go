package contract

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testAllowAll runs the cases of AllowAll, each on a store of its own.
func testAllowAll(t *testing.T, newStore NewRateLimiter) {
	t.Run("AllOrNothing", func(t *testing.T) { testAllOrNothing(t, newStore(t)()) })
	t.Run("FirstRefused", func(t *testing.T) { testFirstRefused(t, newStore(t)()) })
	t.Run("Overshoot", func(t *testing.T) { testAllowAllOvershoot(t, newStore(t)()) })
	t.Run("CountsAllow", func(t *testing.T) { testAllowAllCountsAllow(t, newStore(t)()) })
	t.Run("Undo", func(t *testing.T) { testAllowAllUndo(t, newStore(t)()) })
	t.Run("BadLimits", func(t *testing.T) { testAllowAllBadLimits(t, newStore(t)()) })
	t.Run("Race", func(t *testing.T) { testAllowAllRace(t, newStore(t)) })
}

// allowAll calls AllowAll at t0+at and checks the index of the limit it refused
// (-1: all recorded) and, for a refusal, retryAfter.
func allowAll(t *testing.T, l ports.RateLimiter, limits []ports.Limit, at time.Duration, refused int, retry time.Duration) {
	t.Helper()
	got, gotRetry, err := l.AllowAll(ctx(t), limits, t0.Add(at))
	if err != nil {
		t.Fatalf("AllowAll at t0+%s: %v", at, err)
	}
	if got != refused || (refused >= 0 && gotRetry != retry) {
		t.Fatalf("AllowAll(%v) at t0+%s = %d, retry after %s; want %d, retry after %s", limits, at, got, gotRetry, refused, retry)
	}
}

// testAllOrNothing: every key gets an event, or none does: a refusal by one limit
// counts against no other.
func testAllOrNothing(t *testing.T, l ports.RateLimiter) {
	m, h := time.Minute, time.Hour
	limits := []ports.Limit{{Key: "cool", Max: 1, Window: m}, {Key: "day", Max: 2, Window: h}, {Key: "all", Max: 3, Window: h}}
	allowAll(t, l, limits, 0, -1, 0)
	for _, k := range []string{"cool", "day", "all"} {
		latest(t, l, k, t0)
	}
	allowAll(t, l, limits, time.Second, 0, m-time.Second) // the cooldown
	latest(t, l, "day", t0)
	latest(t, l, "all", t0)
	allowAll(t, l, limits, m, -1, 0) // the cooldown is over
	allowAll(t, l, limits, 2*m, 1, h-2*m)
	latest(t, l, "cool", t0.Add(m)) // the refusal by "day" recorded nothing
	latest(t, l, "all", t0.Add(m))
	allowAll(t, l, []ports.Limit{limits[0], limits[2]}, 2*m, -1, 0)
	allowAll(t, l, limits[2:], 2*m, 0, h-2*m) // "all" holds t0, t0+1m and t0+2m
	allowAll(t, l, nil, 2*m, -1, 0)
}

// testFirstRefused: of several limits without room, the first in the order given
// is the one named, with its own retryAfter.
func testFirstRefused(t *testing.T, l ports.RateLimiter) {
	m, h := time.Minute, time.Hour
	cool, capped := ports.Limit{Key: "cool", Max: 1, Window: m}, ports.Limit{Key: "capped", Max: 1, Window: h}
	allowAll(t, l, []ports.Limit{cool, capped}, 0, -1, 0)
	allowAll(t, l, []ports.Limit{cool, capped}, time.Second, 0, m-time.Second)
	allowAll(t, l, []ports.Limit{capped, cool}, time.Second, 0, h-time.Second)
	allowAll(t, l, []ports.Limit{{Key: "free", Max: 5, Window: h}, cool}, 2*time.Second, 1, m-2*time.Second)
	latest(t, l, "free", time.Time{})
	allowAll(t, l, []ports.Limit{{Key: "free", Max: 5, Window: h}, cool}, m, -1, 0)
}

// testAllowAllOvershoot: with more events in the window than the limit (racing
// hits, or a shorter window before), room comes when the limit-th newest leaves.
func testAllowAllOvershoot(t *testing.T, l ports.RateLimiter) {
	s, h := time.Second, time.Hour
	for i := range 3 {
		allowAll(t, l, []ports.Limit{{Key: "k", Max: 3, Window: h}}, time.Duration(10*i)*s, -1, 0)
	}
	allowAll(t, l, []ports.Limit{{Key: "k", Max: 2, Window: h}}, 30*s, 0, h-20*s) // t0+10s leaves at t0+1h10s
	allowAll(t, l, []ports.Limit{{Key: "k", Max: 3, Window: h}}, 30*s, 0, h-30*s)
}

// testAllowAllCountsAllow: the events of Allow and of AllowAll are the same events.
func testAllowAllCountsAllow(t *testing.T, l ports.RateLimiter) {
	h := time.Hour
	run(t, l, []hit{{"k", 2, h, 0, true, 0}})
	allowAll(t, l, []ports.Limit{{Key: "k", Max: 2, Window: h}}, time.Second, -1, 0)
	run(t, l, []hit{{"k", 2, h, 2 * time.Second, false, h - 2*time.Second}})
	allowAll(t, l, []ports.Limit{{Key: "k", Max: 3, Window: h}}, 3*time.Second, -1, 0)
	allowAll(t, l, []ports.Limit{{Key: "k", Max: 3, Window: h}}, 4*time.Second, 0, h-4*time.Second)
}

// testAllowAllUndo: Undo takes back each event AllowAll recorded, the cooldown's
// included, so that the next request is allowed as if the undone one never was.
func testAllowAllUndo(t *testing.T, l ports.RateLimiter) {
	h := time.Hour
	limits := []ports.Limit{{Key: "cool", Max: 1, Window: h}, {Key: "cap", Max: 1, Window: h}}
	allowAll(t, l, limits, 0, -1, 0)
	for round := 1; round <= 3; round++ {
		at := time.Duration(round) * time.Second
		allowAll(t, l, limits, at, 0, h-at+time.Duration(round-1)*time.Second)
		for _, lim := range limits {
			if err := l.Undo(ctx(t), lim.Key, t0.Add(at-time.Second)); err != nil {
				t.Fatalf("Undo(%s): %v", lim.Key, err)
			}
			latest(t, l, lim.Key, time.Time{})
		}
		allowAll(t, l, limits, at, -1, 0)
	}
	latest(t, l, "cool", t0.Add(3*time.Second))
}

// badLimits are limits that make no sense, of keys "a" and "b", by what is wrong.
var badLimits = map[string][]ports.Limit{
	"max 0":          {{Key: "a", Max: 1, Window: time.Hour}, {Key: "b", Max: 0, Window: time.Hour}},
	"no window":      {{Key: "a", Max: 1, Window: time.Hour}, {Key: "b", Max: 1}},
	"same key twice": {{Key: "a", Max: 1, Window: time.Hour}, {Key: "a", Max: 5, Window: time.Hour}},
}

// testAllowAllBadLimits: limits that make no sense are an error and record nothing.
func testAllowAllBadLimits(t *testing.T, l ports.RateLimiter) {
	for name, limits := range badLimits {
		t.Run(name, func(t *testing.T) {
			if _, _, err := l.AllowAll(ctx(t), limits, t0); err == nil {
				t.Fatal("AllowAll took them")
			}
			latest(t, l, "a", time.Time{})
			latest(t, l, "b", time.Time{})
		})
	}
}

// testAllowAllRace: of many instances asking at once for a cooldown key and a cap
// they share, exactly one is allowed, and the losers record nothing, on the cap
// either.
func testAllowAllRace(t *testing.T, newLimiter func() ports.RateLimiter) {
	const racers, w = 8, time.Minute
	limiters := make([]ports.RateLimiter, racers)
	for i := range limiters {
		limiters[i] = newLimiter()
	}
	limits := []ports.Limit{{Key: "race", Max: 1, Window: w}, {Key: "cap", Max: 100, Window: 24 * time.Hour}}
	for round, at := range []time.Duration{0, w, 3 * w} { // a first event, then after each cooldown
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			refused := make([]int, racers)
			errs := make([]error, racers)
			var wg sync.WaitGroup
			for i, l := range limiters {
				wg.Go(func() { refused[i], _, errs[i] = l.AllowAll(ctx(t), limits, t0.Add(at)) })
			}
			wg.Wait()
			allowed := 0
			for i, err := range errs {
				must(t, err)
				switch refused[i] {
				case -1:
					allowed++
				case 0:
				default:
					t.Fatalf("racer %d refused by limit %d; only the cooldown may refuse", i, refused[i])
				}
			}
			if allowed != 1 {
				t.Fatalf("%d of %d racing requests allowed, want exactly 1", allowed, racers)
			}
		})
	}
	// The cap holds the three winners' events and no loser's: room for one more of 4.
	l := limiters[0]
	allowAll(t, l, []ports.Limit{{Key: "cap", Max: 4, Window: time.Hour}}, 4*w, -1, 0)
	allowAll(t, l, []ports.Limit{{Key: "cap", Max: 4, Window: time.Hour}}, 4*w, 0, time.Hour-4*w)
}
