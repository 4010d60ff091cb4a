package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// skew is how far the clock of the instances below is off.
const skew = 15 * time.Second

// TestLeaseOnTheDatabaseClock (issue 17 finding 10): leases are judged by
// PostgreSQL's clock, not by the now of the instance that asks: a message leased
// for 10 s is not claimed again by an instance whose clock is 15 s ahead. Before
// the fix that instance claimed the message still being sent.
func TestLeaseOnTheDatabaseClock(t *testing.T) {
	box := postgres.NewOutbox(migrated(t), 0)
	now := time.Now()
	id, err := box.Add(testCtx(t), ports.Message{Kind: "k", To: "a@example.com"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "right", now, 10*time.Second); err != nil || got.ID != id {
		t.Fatalf("Claim = %+v, %v; want message %s", got, err, id)
	}
	if got, err := box.Claim(testCtx(t), "ahead", now.Add(skew), 10*time.Second); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("an instance %s ahead claimed a message leased for 10s: %+v, %v; want ErrNothingDue", skew, got, err)
	}
}

// TestHeldNoticeOnTheDatabaseClock (issue 17 finding 10): a notice held until a
// due time is not claimed before the database's clock reaches it, by an instance
// whose clock is past it; released by an instance whose clock is ahead, it is due
// at once by the database's clock. Before the fix the one claimed the held notice
// early and the other left it waiting 15 s.
func TestHeldNoticeOnTheDatabaseClock(t *testing.T) {
	box := postgres.NewOutbox(migrated(t), 0)
	now := time.Now()
	id, err := box.Add(testCtx(t), ports.Message{Kind: "k", To: "a@example.com"}, now.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "ahead", now.Add(30*time.Second+skew), time.Minute); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("a notice held for 30s was claimed by an instance %s ahead of it: %+v, %v", skew, got, err)
	}
	if err := box.Release(testCtx(t), id, now.Add(skew)); err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "right", now, time.Minute); err != nil || got.ID != id {
		t.Fatalf("a notice released by an instance %s ahead is not due by the database's clock: %+v, %v", skew, got, err)
	}
}

// TestLinkFromAnInstanceAheadIsDueAtOnce (issue 17 finding 10): a link stored by
// an instance whose clock is ahead is due at once by the database's clock, not
// when that clock catches up.
func TestLinkFromAnInstanceAheadIsDueAtOnce(t *testing.T) {
	box := postgres.NewOutbox(migrated(t), 0)
	limits := []ports.Limit{{Key: "cool", Max: 1, Window: time.Minute, Reason: "cooldown"}}
	id, refused, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: ports.Message{Kind: "k", To: "a@example.com"},
		Limits: limits}, time.Now().Add(skew))
	if err != nil || refused != -1 {
		t.Fatal(refused, err)
	}
	if got, err := box.Claim(testCtx(t), "right", time.Now(), time.Minute); err != nil || got.ID != id {
		t.Fatalf("a link stored by an instance %s ahead is not due at once: %+v, %v", skew, got, err)
	}
}

// TestOutboxOnAClock: an outbox built on a clock of its own (a simulation's)
// judges leases and releases by that clock, not the callers' nor the database's.
func TestOutboxOnAClock(t *testing.T) {
	clock := &movingClock{at: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	box := postgres.NewOutboxOnClock(migrated(t), 0, clock)
	id, err := box.Add(testCtx(t), ports.Message{Kind: "k"}, clock.at)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "a", time.Now(), time.Minute); err != nil || got.ID != id {
		t.Fatalf("Claim on the store's clock = %+v, %v; want message %s", got, err, id)
	}
	if _, err := box.Claim(testCtx(t), "b", clock.at.Add(time.Hour), time.Minute); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("a caller an hour ahead of the store's clock claimed a leased message: %v", err)
	}
	clock.at = clock.at.Add(2 * time.Minute)
	if got, err := box.Claim(testCtx(t), "b", time.Now(), time.Minute); err != nil || got.ID != id {
		t.Fatalf("the lease did not expire with the store's clock: %+v, %v", got, err)
	}
}

// movingClock is a ports.Clock a test sets.
type movingClock struct{ at time.Time }

func (c *movingClock) Now() time.Time { return c.at }
