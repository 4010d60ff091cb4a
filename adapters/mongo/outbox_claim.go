package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// claimBatch is how many due messages a Claim reads at once. Workers claiming at
// the same moment read the same first messages; the others let one that loses the
// first race go on to the next message without reading again.
const claimBatch = 8

// claimRounds bounds how often a Claim reads again after losing every message of
// a full batch: each loss was another worker's progress, and more may be due.
const claimRounds = 4

// maxSkips bounds how many abandoned claims (see claimAttempt) one Claim steps
// over on one message. Each step is stored, so the next Claim starts past them.
const maxSkips = 8

// Claim implements ports.Outbox. It reads the first due messages, then for each in
// turn inserts the claim of its next attempt until an insert succeeds (see the
// package doc), and leases that message. A claimed message's next_attempt_at is
// its lease expiry, when it is due again if its worker dies: so "due" is one
// comparison for pending and sending messages alike, served by one index.
func (o *Outbox) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	filter := bson.D{
		{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{ports.StatePending, ports.StateSending}}}},
		{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now}}},
	}
	find := options.Find().SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(claimBatch)
	for range claimRounds {
		var due []envelopeDoc
		cur, err := o.msgs.Find(opCtx, filter, find)
		if err == nil {
			err = cur.All(opCtx, &due)
		}
		if err != nil {
			return ports.Envelope{}, o.fail(ctx, "find due messages", err)
		}
		for _, d := range due {
			env, won, err := o.claimOne(opCtx, d, owner, now, now.Add(lease))
			if err != nil {
				return ports.Envelope{}, o.fail(ctx, "claim message "+d.ID.Hex(), err)
			}
			if won {
				return env, nil
			}
		}
		if len(due) < claimBatch {
			break
		}
	}
	return ports.Envelope{}, ports.ErrNothingDue
}

// claimOne leases d, as read, to owner until expires, once the claim of an
// attempt is won. It reports false when another worker claimed d first.
func (o *Outbox) claimOne(opCtx context.Context, d envelopeDoc, owner string, now, expires time.Time) (ports.Envelope, bool, error) {
	attempt, err := o.claimAttempt(opCtx, d, owner, now, expires)
	if err != nil || attempt == 0 {
		return ports.Envelope{}, false, err
	}
	// Still filtered on what was read, for MongoDB: the message may have been
	// settled meanwhile by a worker whose lease had expired.
	filter := bson.D{{Key: "_id", Value: d.ID}, {Key: "state", Value: d.State}, {Key: "attempts", Value: d.Attempts},
		{Key: "next_attempt_at", Value: d.NextAttemptAt}}
	res, err := o.msgs.UpdateOne(opCtx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: "state", Value: ports.StateSending},
		{Key: "attempts", Value: attempt},
		{Key: "lease_owner", Value: owner},
		{Key: "lease_expires", Value: expires},
		{Key: "next_attempt_at", Value: expires},
	}}})
	if err != nil {
		return ports.Envelope{}, false, err
	}
	if res.MatchedCount == 0 {
		// Give the attempt back rather than block the message until expires; at
		// worst it stays until then, as an abandoned claim.
		_, _ = o.claims.DeleteOne(opCtx, bson.D{{Key: "_id", Value: claimID(d.ID, attempt)}, {Key: "owner", Value: owner}})
		return ports.Envelope{}, false, nil
	}
	// The claims of earlier attempts name states the message has left: nobody
	// needs them any more (see dropClaims).
	o.dropClaims(opCtx, d.ID, attempt-1)
	d.State, d.Attempts, d.LeaseOwner = ports.StateSending, attempt, owner
	d.LeaseExpires, d.NextAttemptAt = stored(expires), stored(expires)
	return d.envelope(), true, nil
}

// claimID names the claim of attempt n of message id.
func claimID(id bson.ObjectID, n int) string { return fmt.Sprintf("%s:%d", id.Hex(), n) }

// skipID names the document that records up to which attempt the claims of
// message id are known to be abandoned. No claim has that name.
func skipID(id bson.ObjectID) string { return id.Hex() + ":skip" }

// claimAttempt inserts the claim of d's next attempt, "<message id>:<attempt>",
// and returns the attempt; 0 when another worker holds it.
//
// A claim that expired while the message still shows the attempt before it was
// abandoned: its worker died, or lost MongoDB, between insert and update. It
// would block the message for ever, so it is stepped over and the attempt after
// it claimed instead; the abandoned one still counts, as it may have been made.
// Should a message carry more abandoned claims than one call steps over, the call
// records where it stopped (a document of the claims collection, never the
// message, which only a claim's winner writes), and the next call starts there:
// so abandoned claims delay a message by one lease at most, and stall nothing.
func (o *Outbox) claimAttempt(opCtx context.Context, d envelopeDoc, owner string, now, expires time.Time) (int, error) {
	attempt, skipped := d.Attempts+1, false
	for range maxSkips {
		_, err := o.claims.InsertOne(opCtx, bson.D{{Key: "_id", Value: claimID(d.ID, attempt)}, {Key: "msg_id", Value: d.ID},
			{Key: "owner", Value: owner}, {Key: "at", Value: now}, {Key: "expires", Value: expires}})
		if err == nil {
			return attempt, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return 0, err
		}
		if !skipped { // once: a former call may have stepped over these already
			skipped = true
			if last, err := o.skipped(opCtx, d.ID); err != nil {
				return 0, err
			} else if last >= attempt {
				attempt = last + 1
				continue
			}
		}
		var held struct {
			Expires time.Time `bson:"expires"`
		}
		err = o.claims.FindOne(opCtx, bson.D{{Key: "_id", Value: claimID(d.ID, attempt)}}).Decode(&held)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // given back or purged meanwhile: the attempt is free again
		case err != nil:
			return 0, err
		case held.Expires.After(now):
			return 0, nil // another worker's, and live
		}
		attempt++
	}
	// Any number of workers may write this at once, even stale values: it only
	// spares steps, and an abandoned claim stays abandoned.
	_, _ = o.claims.UpdateOne(opCtx, bson.D{{Key: "_id", Value: skipID(d.ID)}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "last", Value: attempt - 1}}},
			{Key: "$set", Value: bson.D{{Key: "msg_id", Value: d.ID}, {Key: "at", Value: now}}}},
		options.UpdateOne().SetUpsert(true))
	return 0, nil
}

// skipped returns the last attempt of message id whose claim a former call found
// abandoned; 0 if none.
func (o *Outbox) skipped(opCtx context.Context, id bson.ObjectID) (int, error) {
	var doc struct {
		Last int `bson:"last"`
	}
	err := o.claims.FindOne(opCtx, bson.D{{Key: "_id", Value: skipID(id)}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	return doc.Last, err
}

// dropClaims deletes the claims of attempts 1 to last of message id, and its
// record of skipped ones. A claim only matters while a worker may still read the
// message as it stood before that attempt; once the message shows a later
// attempt, or is finished, such a worker's update matches nothing and it gives
// its claim back. It is done on the way, so that claims go soon whatever
// OUTBOX_RETENTION is; what a failure leaves, Purge deletes.
func (o *Outbox) dropClaims(opCtx context.Context, id bson.ObjectID, last int) {
	if last < 1 {
		return
	}
	ids := make(bson.A, 0, last+1)
	for n := 1; n <= last; n++ {
		ids = append(ids, claimID(id, n))
	}
	ids = append(ids, skipID(id))
	_, _ = o.claims.DeleteMany(opCtx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
}
