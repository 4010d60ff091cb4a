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

// TestLeaseOnTheDatabaseClock (issue 17 finding 10): leases and due times are
// judged by PostgreSQL's clock, not by the now of the instance that asks. A
// message leased for 10 s is not claimed again by an instance whose clock is 15 s
// ahead.
// Before the fix the instance ahead claimed the message still being sent.
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

// TestHeldNoticeOnTheDatabaseClock (issue 17 finding 10): a notice held for a
// while by an instance whose clock is behind is held that long by the database's
// clock; released by that instance, it is due at once; rescheduled by it for a
// minute, it is due in a minute. Before the fix the hold and the retry were each
// cut short by the skew.
func TestHeldNoticeOnTheDatabaseClock(t *testing.T) {
	box := postgres.NewOutbox(migrated(t), 0)
	behind := time.Now().Add(-skew)
	postgres.SetLocalClock(box, func() time.Time { return time.Now().Add(-skew) })
	id, err := box.Add(testCtx(t), ports.Message{Kind: "k", To: "a@example.com"}, behind.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "w", time.Now().Add(20*time.Second), time.Minute); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("a notice held for 30s by an instance %s behind was claimed early: %+v, %v", skew, got, err)
	}
	if err := box.Release(testCtx(t), id, behind); err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "w", behind, time.Minute); err != nil || got.ID != id {
		t.Fatalf("a released notice is not due by the database's clock: %+v, %v", got, err)
	}
	if err := box.Reschedule(testCtx(t), id, "w", behind.Add(time.Minute), "try later"); err != nil {
		t.Fatal(err)
	}
	if got, err := box.Claim(testCtx(t), "w", time.Now().Add(50*time.Second), time.Minute); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("a message rescheduled for a minute by an instance %s behind was claimed early: %+v, %v", skew, got, err)
	}
}
