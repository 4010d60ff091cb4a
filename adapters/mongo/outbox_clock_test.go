package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestOutboxServerClock reproduces issue 17, finding 10: leases and held
// messages' due times are judged by the database's clock, not each instance's.
// An instance whose clock is 15 s past a live lease's end cannot claim the
// message (it would be sent twice), and one whose clock is an hour behind, or
// ahead, releases a held notice due at the server's now. Failed before: the
// skewed instance claimed the leased message, and the released notice fell due
// at the releasing instance's now.
func TestOutboxServerClock(t *testing.T) {
	const lease, skew = time.Minute, 15 * time.Second
	db := mongotest.NewDatabase(t)
	prepareOutbox(t, db)
	honest := mongo.NewOutbox(db, mongo.OutboxConfig{})
	ahead := mongo.NewOutbox(sameDatabase(t, db), mongo.OutboxConfig{})

	id, err := honest.Add(testCtx(t), sample(1), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := honest.Claim(testCtx(t), "honest", time.Now(), lease)
	if err != nil || got.ID != id {
		t.Fatalf("Claim = %+v, %v", got, err)
	}
	if got, err := ahead.Claim(testCtx(t), "ahead", time.Now().Add(lease+skew), lease); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim by an instance whose clock is past the lease = %+v, %v; want ErrNothingDue: the lease is live", got, err)
	}
	if err := honest.MarkSent(testCtx(t), id, "honest", "p-1", time.Now()); err != nil {
		t.Fatalf("MarkSent by the lease's owner: %v", err)
	}

	for name, off := range map[string]time.Duration{"behind": -time.Hour, "ahead": time.Hour} {
		t.Run("release by an instance "+name, func(t *testing.T) {
			held, err := honest.Add(testCtx(t), sample(2), time.Now().Add(24*time.Hour)) // a notice held back
			if err != nil {
				t.Fatal(err)
			}
			if err := ahead.Release(testCtx(t), held, time.Now().Add(off)); err != nil {
				t.Fatalf("Release: %v", err)
			}
			// Claimed through the releasing outbox, whose reading of the server's
			// clock the release used: another's may differ by a millisecond.
			got, err := ahead.Claim(testCtx(t), "ahead", time.Now(), lease)
			if err != nil || got.ID != held {
				t.Fatalf("Claim after the release = %+v, %v; want the released notice, due at the server's now", got, err)
			}
			if err := ahead.MarkSent(testCtx(t), held, "ahead", "p", time.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
