package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// clients returns n views of db, each through a client of its own, as n
// instances of the service would see it.
func clients(t *testing.T, db *driver.Database, n int) []*driver.Database {
	dbs := []*driver.Database{db}
	for len(dbs) < n {
		dbs = append(dbs, sameDatabase(t, db))
	}
	return dbs
}

// TestAllowBurst reproduces issue 17, finding 4 for the per-IP limit: 64
// concurrent hits from one client address with a limit of 10 per minute, over
// eight instances: exactly 10 are allowed. Failed before: Allow read, then
// inserted, and 48-57 of 64 passed end to end.
func TestAllowBurst(t *testing.T) {
	const hits, limit, w = 64, 10, time.Minute
	db := mongotest.NewDatabase(t)
	prepareLimiter(t, db)
	var limiters []*mongo.RateLimiter
	for _, d := range clients(t, db, 8) {
		limiters = append(limiters, mongo.NewRateLimiter(d, mongo.RateLimitConfig{Timeout: time.Minute}))
	}
	now := time.Now()
	oks, errs := make([]bool, hits), make([]error, hits)
	var wg sync.WaitGroup
	for i := range hits {
		wg.Go(func() {
			oks[i], _, errs[i] = limiters[i%len(limiters)].Allow(testCtx(t), "ip:198.51.100.7", limit, w, now)
		})
	}
	wg.Wait()
	allowed := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
		if oks[i] {
			allowed++
		}
	}
	if allowed != limit {
		t.Fatalf("%d of %d concurrent hits allowed; want exactly %d", allowed, hits, limit)
	}
}

// TestAddLimitedBurst reproduces issue 17, finding 4 for a user's daily cap: 40
// concurrent link requests for one user, daily cap 3 and no cooldown, over eight
// instances: exactly 3 messages are pending, the rest suppressed with the cap's
// reason. Failed before: the cap was read, then counted, and 13-14 of a cap of 5
// went out end to end.
func TestAddLimitedBurst(t *testing.T) {
	const requests, daily = 40, 3
	db := mongotest.NewDatabase(t)
	prepareOutbox(t, db)
	var boxes []*mongo.Outbox
	for _, d := range clients(t, db, 8) {
		boxes = append(boxes, mongo.NewOutbox(d, mongo.OutboxConfig{Timeout: time.Minute}))
	}
	limits := []ports.Limit{{Key: "reset_link:user:dora", Max: daily, Window: 24 * time.Hour, Reason: "daily_cap"},
		{Key: "reset_link:global", Max: 1000, Window: time.Hour, Reason: "global_cap"}}
	now := time.Now()
	refused, errs := make([]int, requests), make([]error, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			_, refused[i], errs[i] = boxes[i%len(boxes)].AddLimited(testCtx(t),
				ports.LimitedMessage{Message: sample(i), Limits: limits}, now)
		})
	}
	wg.Wait()
	count := map[int]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		count[refused[i]]++
	}
	stats, err := boxes[0].Stats(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if count[-1] != daily || count[0] != requests-daily || stats.Counts[ports.StatePending] != daily {
		t.Fatalf("%v requests by refusing limit (-1: none), %d pending; want exactly %d pending, %d refused by the daily cap",
			count, stats.Counts[ports.StatePending], daily, requests-daily)
	}
}

// TestAddLimitedFaults reproduces issue 17, findings 1 and 2 at the store: the
// write of a link request fails, never sent or landed with its answer lost. A
// link counts against its limits if and only if its message is in the outbox,
// whatever the failure: after it, the message is there exactly when its events
// are, and the user's retry is allowed exactly when it is not. Failed before:
// the events were recorded first, then the message added, and a failure between
// the two left the cooldown counted with no message (the retry a 503 asks for
// suppressed).
func TestAddLimitedFaults(t *testing.T) {
	limits := []ports.Limit{{Key: "reset_link:cooldown:dora", Max: 1, Window: time.Hour, Reason: "cooldown"},
		{Key: "reset_link:user:dora", Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"}}
	for name, mode := range map[string]int{"never sent": dropRequest, "answer lost": loseReply} {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			box := prepareOutbox(t, db)
			fdb, f := faulty(t, db)
			faulty := mongo.NewOutbox(fdb, testConfig)
			f.arm("insert", "outbox", mode)
			id, refused, err := faulty.AddLimited(testCtx(t), ports.LimitedMessage{Message: sample(1), Limits: limits}, t0)
			if f.pending() != 0 {
				t.Fatalf("the fault never hit; AddLimited = %s, %d, %v", id, refused, err)
			}
			if err != nil && !errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("AddLimited whose insert failed = %v; want success or ErrUnavailable", err)
			}
			stats, serr := box.Stats(testCtx(t))
			if serr != nil {
				t.Fatal(serr)
			}
			stored := stats.Counts[ports.StatePending] == 1
			for _, l := range limits {
				latest, lerr := box.LatestEvent(testCtx(t), l.Key)
				if lerr != nil || latest.IsZero() == stored {
					t.Fatalf("message stored: %v; latest event of %s: %v (%v): counted %s", stored, l.Key, latest, lerr,
						map[bool]string{true: "without its message", false: "not at all"}[!latest.IsZero()])
				}
			}
			if (err == nil) != stored {
				t.Fatalf("AddLimited = %s, %v, with the message stored: %v; want success exactly when stored", id, err, stored)
			}
			want := -1 // the retry a 503 asks for goes out
			if stored {
				want = 0 // the message that landed holds the cooldown
			}
			if _, got, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: sample(2), Limits: limits}, t0.Add(time.Second)); err != nil || got != want {
				t.Fatalf("the retry = %d, %v; want %d", got, err, want)
			}
		})
	}
}

// TestAddLimitedHangUps: 60 link requests for one user, cooldown an hour, each
// given up by its client at a different moment (issue 17's "60 hung-up requests
// with cooldown 1h → ≤ 1 e-mail"): at most one message is pending, and every
// pending one is counted.
func TestAddLimitedHangUps(t *testing.T) {
	const requests = 60
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	limits := []ports.Limit{{Key: "reset_link:cooldown:eve", Max: 1, Window: time.Hour, Reason: "cooldown"}}
	for i := range requests {
		ctx, cancel := context.WithTimeout(testCtx(t), time.Duration(i)*100*time.Microsecond)
		_, _, _ = box.AddLimited(ctx, ports.LimitedMessage{Message: sample(i), Limits: limits}, t0.Add(time.Duration(i)*time.Millisecond))
		cancel()
	}
	stats, err := box.Stats(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	latest, err := box.LatestEvent(testCtx(t), limits[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	if n := stats.Counts[ports.StatePending]; n > 1 || (n == 1) == latest.IsZero() {
		t.Fatalf("%d pending after %d hung-up requests, latest event %v; want at most 1, counted", n, requests, latest)
	}
	t.Logf("%d pending, %d suppressed", stats.Counts[ports.StatePending], stats.Counts[ports.StateSuppressed])
}

// TestAllowRaceAcrossEpochs: racing hits whose times straddle the boundary of two
// epochs of the tickets (see tickets.go), some a millisecond before it and some
// at or after it, all within one window, on a cooldown and on a cap of 3, with an
// event already in the window: exactly as many are allowed as the window has room
// for. Callers on either side of the boundary collide on the later epoch's ticket.
func TestAllowRaceAcrossEpochs(t *testing.T) {
	const w, racers = time.Minute, 24
	b := time.UnixMilli((t0.UnixMilli()/w.Milliseconds() + 1) * w.Milliseconds()) // an epoch's start
	for _, room := range []int{1, 3} {
		t.Run(fmt.Sprint("room for ", room), func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			first := prepareLimiter(t, db)
			if ok, _, err := first.Allow(testCtx(t), "k", room+1, w, b.Add(-w/2)); !ok || err != nil {
				t.Fatalf("the event before = %v, %v", ok, err)
			}
			var limiters []*mongo.RateLimiter
			for _, d := range clients(t, db, 6) {
				limiters = append(limiters, mongo.NewRateLimiter(d, mongo.RateLimitConfig{Timeout: time.Minute}))
			}
			oks, errs := make([]bool, racers), make([]error, racers)
			var wg sync.WaitGroup
			for i := range racers {
				now := b.Add(time.Duration(i%4-2) * time.Millisecond) // b-2ms, b-1ms, b, b+1ms
				wg.Go(func() { oks[i], _, errs[i] = limiters[i%len(limiters)].Allow(testCtx(t), "k", room+1, w, now) })
			}
			wg.Wait()
			allowed := 0
			for i, err := range errs {
				if err != nil {
					t.Fatalf("hit %d: %v", i, err)
				}
				if oks[i] {
					allowed++
				}
			}
			if allowed != room {
				t.Fatalf("%d of %d hits across an epoch boundary allowed; want %d (a limit of %d, one used)", allowed, racers, room, room+1)
			}
		})
	}
}
