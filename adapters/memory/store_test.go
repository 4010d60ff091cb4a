package memory_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
	"github.com/pwreset/pwreset/ports/portstest"
)

// TestStoreContract runs both suites on the outbox and limiter of NewStore, with
// no clock of its own (the suites drive time through their now).
func TestStoreContract(t *testing.T) {
	contract.TestOutbox(t, func(*testing.T) ports.Outbox { return memory.NewStore(nil, memory.OutboxBounds{}).Outbox })
	contract.TestRateLimiter(t, func(*testing.T) func() ports.RateLimiter {
		l := memory.NewStore(nil, memory.OutboxBounds{}).Limiter
		return func() ports.RateLimiter { return l }
	})
}

// TestStoreSharesEvents: the events AddLimited records are the limiter's, and
// those Allow records count against AddLimited's limits.
func TestStoreSharesEvents(t *testing.T) {
	ctx := context.Background()
	s := memory.NewStore(nil, memory.OutboxBounds{})
	cool := []ports.Limit{{Key: "cool", Max: 1, Window: time.Minute, Reason: "cooldown"}}
	if _, refused, err := s.Outbox.AddLimited(ctx, ports.LimitedMessage{Limits: cool}, t0); err != nil || refused != -1 {
		t.Fatalf("AddLimited = %d, %v; want -1", refused, err)
	}
	for name, latest := range map[string]func(context.Context, string) (time.Time, error){
		"RateLimiter.Latest": s.Limiter.Latest, "Outbox.LatestEvent": s.Outbox.LatestEvent,
	} {
		if got, err := latest(ctx, "cool"); err != nil || !got.Equal(t0) {
			t.Errorf("%s = %v, %v; want %v", name, got, err, t0)
		}
	}
	if ok, _, err := s.Limiter.Allow(ctx, "cool", 1, time.Minute, t0.Add(time.Second)); err != nil || ok {
		t.Fatalf("Allow after AddLimited counted = %v, %v; want refused", ok, err)
	}
	if ok, _, err := s.Limiter.Allow(ctx, "other", 1, time.Minute, t0); err != nil || !ok {
		t.Fatalf("Allow = %v, %v", ok, err)
	}
	other := []ports.Limit{{Key: "other", Max: 1, Window: time.Minute, Reason: "cooldown"}}
	if _, refused, err := s.Outbox.AddLimited(ctx, ports.LimitedMessage{Limits: other}, t0.Add(time.Second)); err != nil || refused != 0 {
		t.Fatalf("AddLimited after Allow = %d, %v; want refused by 0", refused, err)
	}
}

// TestStoreRaceWithAllow: AddLimited and Allow racing on one key of limit 1 admit
// exactly one between them: one lock.
func TestStoreRaceWithAllow(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		s := memory.NewStore(nil, memory.OutboxBounds{})
		var allowed, added int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				ok, _, err := s.Limiter.Allow(ctx, "k", 1, time.Hour, t0)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && ok {
					allowed++
				}
			})
			wg.Go(func() {
				_, refused, err := s.Outbox.AddLimited(ctx, ports.LimitedMessage{
					Limits: []ports.Limit{{Key: "k", Max: 1, Window: time.Hour, Reason: "cooldown"}}}, t0)
				mu.Lock()
				defer mu.Unlock()
				if err == nil && refused < 0 {
					added++
				}
			})
		}
		wg.Wait()
		if allowed+added != 1 {
			t.Fatalf("round %d: %d allowed and %d added; want exactly one in all", round, allowed, added)
		}
	}
}

// TestStoreClockJudgesLeases: a store with a clock of its own judges due times and
// leases by it, whatever the callers' clocks say: a worker whose clock is ahead
// does not take a message another worker holds, nor one held back.
func TestStoreClockJudgesLeases(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewClock(t0)
	box := memory.NewStore(clock, memory.OutboxBounds{}).Outbox
	id, err := box.Add(ctx, ports.Message{Kind: "reset_link"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	held, err := box.Add(ctx, ports.Message{Kind: "password_changed"}, t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	const lease = time.Minute
	// A worker whose clock is behind still finds the message due: the store's now counts.
	env, err := box.Claim(ctx, "behind", t0.Add(-time.Hour), lease)
	if err != nil || env.ID != id || !env.LeaseExpires.Equal(t0.Add(lease)) {
		t.Fatalf("Claim by a clock an hour behind = %+v, %v; want %s leased until %v", env, err, id, t0.Add(lease))
	}
	// One whose clock is 15 minutes ahead takes neither the leased nor the held message.
	if env, err := box.Claim(ctx, "ahead", t0.Add(15*time.Minute), lease); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim by a clock ahead = %+v, %v; want ErrNothingDue", env, err)
	}
	clock.Add(30 * time.Second)
	if env, err := box.Claim(ctx, "ahead", t0.Add(-time.Hour), lease); err != nil || env.ID != held {
		t.Fatalf("Claim once the store's clock reaches the hold = %+v, %v; want %s", env, err, held)
	}
	clock.Add(lease)
	if env, err := box.Claim(ctx, "late", t0, lease); err != nil || env.ID != id {
		t.Fatalf("Claim after the lease ran out on the store's clock = %+v, %v; want %s", env, err, id)
	}
}

// TestStoreClockReleases: Release makes a held message due at the store's now,
// not at a caller's now that lies ahead.
func TestStoreClockReleases(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewClock(t0)
	box := memory.NewStore(clock, memory.OutboxBounds{}).Outbox
	held, err := box.Add(ctx, ports.Message{Kind: "password_changed"}, t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := box.Release(ctx, held, t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if env, err := box.Claim(ctx, "w", t0, time.Minute); err != nil || env.ID != held {
		t.Fatalf("Claim after Release = %+v, %v; want %s", env, err, held)
	}
}
