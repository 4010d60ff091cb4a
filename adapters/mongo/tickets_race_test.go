package mongo_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// Variables of TestTicketsSeeded: MONGO_TICKETS_SEED=1234 replays one seed,
// MONGO_TICKETS_SEEDS=500 runs seeds 1 to 500 (8 by default).
const (
	seedsVar  = "MONGO_TICKETS_SEED"
	searchVar = "MONGO_TICKETS_SEEDS"
)

// TestTicketsSeeded searches for a schedule that breaks a limit: waves of hits
// racing on one key, each at a time of its own drawn around the boundaries of
// the tickets' epochs, over several instances, for a limit of a drawn size. No
// sliding window may ever hold more events than the limit, and each wave that
// found room lets one hit in at least. A failure prints its seed; setting
// MONGO_TICKETS_SEED to it replays that seed alone. (With tickets of one epoch
// only, 4 of the first 8 seeds fail; as written, none of 200 did.)
func TestTicketsSeeded(t *testing.T) {
	n := uint64(8)
	if s := os.Getenv(searchVar); s != "" {
		var err error
		if n, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: want a number", searchVar, s)
		}
	}
	var seeds []uint64
	for s := range n {
		seeds = append(seeds, s+1)
	}
	if s := os.Getenv(seedsVar); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a number", seedsVar, s)
		}
		seeds = []uint64{n}
	}
	for _, seed := range seeds {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			if err := ticketSchedule(t, seed); err != "" {
				t.Fatalf("seed %d (replay: %s=%d): %s", seed, seedsVar, seed, err)
			}
		})
	}
}

// ticketSchedule plays the schedule of seed and returns what broke, if anything.
func ticketSchedule(t *testing.T, seed uint64) string {
	const w, waves, racers = time.Minute, 6, 10
	rng := rand.New(rand.NewPCG(seed, seed))
	limit := []int{1, 2, 3, 5}[rng.IntN(4)]
	db := mongotest.NewDatabase(t)
	prepareLimiter(t, db)
	var limiters []*mongo.RateLimiter
	for _, d := range clients(t, db, 4) {
		limiters = append(limiters, mongo.NewRateLimiter(d, mongo.RateLimitConfig{Timeout: time.Minute}))
	}
	epoch := time.UnixMilli((t0.UnixMilli()/w.Milliseconds() + 1) * w.Milliseconds())
	var events []time.Time
	for wave := range waves {
		// Around a boundary of the epochs, or anywhere in the window before it.
		base := epoch.Add(time.Duration(wave) * w / 2)
		spread := []time.Duration{2 * time.Millisecond, time.Second, w / 2}[rng.IntN(3)]
		nows := make([]time.Time, racers)
		for i := range nows {
			// Whole milliseconds, as MongoDB keeps times (a finer one is cut).
			nows[i] = base.Add(time.Duration(rng.Int64N(int64(2*spread))) - spread).Truncate(time.Millisecond)
		}
		oks, errs := make([]bool, racers), make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() { oks[i], _, errs[i] = limiters[i%len(limiters)].Allow(testCtx(t), "k", limit, w, nows[i]) })
		}
		wg.Wait()
		allowed := 0
		for i, err := range errs {
			if err != nil {
				return "hit: " + err.Error()
			}
			if oks[i] {
				events = append(events, nows[i])
				allowed++
			}
		}
		if allowed == 0 && slices.ContainsFunc(nows, func(now time.Time) bool { return roomAt(events, now, w, limit) }) {
			return "a wave with room let no hit in"
		}
	}
	slices.SortFunc(events, time.Time.Compare)
	for i, e := range events {
		n := 0
		for _, f := range events[:i+1] {
			if f.After(e.Add(-w)) {
				n++
			}
		}
		if n > limit {
			return strconv.Itoa(n) + " events in the window ending " + e.Format(time.StampMilli) + "; limit " + strconv.Itoa(limit)
		}
	}
	t.Logf("limit %d: %d events in %d waves", limit, len(events), waves)
	return ""
}

// roomAt tells whether events leave room for one more at now, counting those
// after now as the limiter does.
func roomAt(events []time.Time, now time.Time, w time.Duration, limit int) bool {
	n := 0
	for _, e := range events {
		if e.After(now.Add(-w)) {
			n++
		}
	}
	return n < limit
}
