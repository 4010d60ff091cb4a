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

// leaseToDead stores message id as claimed (attempt 1) by a worker that died,
// its lease expiring at expires: what a killed worker leaves behind.
func leaseToDead(t *testing.T, db *driver.Database, id string, expires time.Time) {
	t.Helper()
	oid, err := bson.ObjectIDFromHex(id)
	if err == nil {
		_, err = db.Collection("outbox").UpdateOne(testCtx(t), bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "state", Value: ports.StateSending}, {Key: "attempts", Value: 1}, {Key: "lease_owner", Value: "dead"},
			{Key: "lease_expires", Value: expires}, {Key: "next_attempt_at", Value: expires}}}})
	}
	if err != nil {
		t.Fatalf("lease message %s to a dead worker: %v", id, err)
	}
}

// TestClaimNotStalledByOrphans reproduces issue 17, finding 9: what crashed
// workers leave at the front of the outbox (live orphaned claims of the former
// layout, claim documents in "outbox_claims", and messages whose dead worker's
// lease has not yet expired) must not make Claim answer "nothing due" while
// another message is due. Failed before: with 8 live orphaned claims, Claim
// answered ErrNothingDue for up to a lease.
func TestClaimNotStalledByOrphans(t *testing.T) {
	const front, lease = 8, time.Minute
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	for i := range front { // claimed by a worker that died, leases live
		leaseToDead(t, db, mustAdd(t, box, i, t0), t0.Add(lease))
	}
	want := map[string]bool{}
	for i := range front { // orphaned claims as the former layout left them, live
		id := mustAdd(t, box, front+i, t0.Add(time.Millisecond))
		oid, _ := bson.ObjectIDFromHex(id)
		_, err := db.Collection("outbox_claims").InsertOne(testCtx(t), bson.D{{Key: "_id", Value: fmt.Sprintf("%s:1", id)},
			{Key: "msg_id", Value: oid}, {Key: "owner", Value: "dead"}, {Key: "at", Value: t0}, {Key: "expires", Value: t0.Add(lease)}})
		if err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	want[mustAdd(t, box, 2*front, t0.Add(time.Second))] = true
	at := t0.Add(2 * time.Second) // every lease and orphan is live
	for range len(want) {
		env, err := box.Claim(testCtx(t), "w", at, lease)
		if err != nil {
			t.Fatalf("Claim with %d due messages left: %v", len(want), err)
		}
		if !want[env.ID] || env.Attempts != 1 {
			t.Fatalf("Claim = message %s attempt %d; want a due one not yet claimed", env.ID, env.Attempts)
		}
		delete(want, env.ID)
	}
	if env, err := box.Claim(testCtx(t), "w", at, lease); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim once all due ones are leased = %+v, %v; want ErrNothingDue", env, err)
	}
	env, err := box.Claim(testCtx(t), "w", t0.Add(lease), lease) // the dead worker's leases expired
	if err != nil || env.Attempts != 2 {
		t.Fatalf("Claim after the dead worker's leases = %+v, %v; want attempt 2 of one of its messages", env, err)
	}
}
