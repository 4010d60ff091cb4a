package mongo_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// plantClaim stores the claim of attempt n of message id, as a worker that won it
// at `at` and then lost MongoDB (or was killed) before leasing the message leaves it.
func plantClaim(t *testing.T, db *driver.Database, id string, n int, at time.Time, lease time.Duration) {
	t.Helper()
	oid, err := bson.ObjectIDFromHex(id)
	if err == nil {
		_, err = db.Collection("outbox_claims").InsertOne(testCtx(t), bson.D{{Key: "_id", Value: fmt.Sprintf("%s:%d", id, n)},
			{Key: "msg_id", Value: oid}, {Key: "owner", Value: "dead"}, {Key: "at", Value: at}, {Key: "expires", Value: at.Add(lease)}})
	}
	if err != nil {
		t.Fatalf("plant claim: %v", err)
	}
}

// TestOutboxOrphanedClaims reproduces issue 8, item 1: 8 messages with 4 orphaned
// claims each (claim inserted, message update lost), plus one fresh message. Once
// those claims have expired, every message is claimed again, one per Claim, the
// fresh one too: an orphan stalls its message for one lease at most, and the
// outbox not at all. Each orphan counts as an attempt, as it may have been made.
func TestOutboxOrphanedClaims(t *testing.T) {
	const stuck, orphans, lease = 8, 4, time.Minute
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	ids := map[string]int{} // attempt expected of each message
	for i := range stuck {
		id := mustAdd(t, box, i, t0)
		for n := 1; n <= orphans; n++ {
			plantClaim(t, db, id, n, t0.Add(time.Duration(n)*time.Second), lease)
		}
		ids[id] = orphans + 1
	}
	ids[mustAdd(t, box, stuck, t0.Add(time.Second))] = 1

	at := t0.Add(orphans*time.Second + lease) // every orphan has expired
	for range len(ids) {
		env, err := box.Claim(testCtx(t), "w", at, lease)
		if err != nil {
			t.Fatalf("Claim with %d messages left: %v", len(ids), err)
		}
		want, ok := ids[env.ID]
		if !ok || env.Attempts != want {
			t.Fatalf("Claim = message %s attempt %d; want one not yet claimed (%v)", env.ID, env.Attempts, ids)
		}
		delete(ids, env.ID)
	}
	if env, err := box.Claim(testCtx(t), "w", at, lease); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim once all are leased = %+v, %v; want ErrNothingDue", env, err)
	}
}

// TestOutboxManyOrphanedClaims: a message with more orphaned claims than one Claim
// steps over is still claimed after a few calls: each call records how far it got.
func TestOutboxManyOrphanedClaims(t *testing.T) {
	const orphans, lease = 30, time.Minute
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	id := mustAdd(t, box, 1, t0)
	for n := 1; n <= orphans; n++ {
		plantClaim(t, db, id, n, t0, lease)
	}
	at := t0.Add(2 * lease)
	for call := 1; ; call++ {
		env, err := box.Claim(testCtx(t), "w", at, lease)
		if err == nil {
			if env.ID != id || env.Attempts != orphans+1 {
				t.Fatalf("Claim = message %s attempt %d; want %s attempt %d", env.ID, env.Attempts, id, orphans+1)
			}
			t.Logf("claimed at call %d", call)
			break
		}
		if !errors.Is(err, ports.ErrNothingDue) || call == orphans {
			t.Fatalf("Claim #%d: %v", call, err)
		}
	}
}
