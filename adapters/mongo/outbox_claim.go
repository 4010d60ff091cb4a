package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// Claim implements ports.Outbox in one findAndModify: of the due messages, the
// earliest is leased to owner, in a write MongoDB applies to the document
// atomically, so that of racing workers exactly one gets it and the others the
// next. A claimed message's next_attempt_at is its lease expiry, when it is due
// again if its worker dies: so "due" is one comparison for pending and sending
// messages alike, served by one index, and a dead worker's message is simply due
// again, stalling nothing behind it. Due times and leases are judged by the
// server's clock (see serverClock), not the caller's now.
func (o *Outbox) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	at, err := o.clock.now(opCtx, now)
	if err != nil {
		return ports.Envelope{}, o.fail(ctx, "read the server's clock", err)
	}
	expires := at.Add(lease)
	filter := bson.D{
		{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{ports.StatePending, ports.StateSending}}}},
		{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: at}}},
	}
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "state", Value: ports.StateSending},
			{Key: "lease_owner", Value: owner},
			{Key: "lease_expires", Value: expires},
			{Key: "next_attempt_at", Value: expires},
		}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	}
	opts := options.FindOneAndUpdate().
		SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetReturnDocument(options.After)
	var d envelopeDoc
	err = o.msgs.FindOneAndUpdate(opCtx, filter, update, opts).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ports.Envelope{}, ports.ErrNothingDue
	}
	if err != nil {
		return ports.Envelope{}, o.failWrite(ctx, "claim a due message", err)
	}
	return d.envelope(), nil
}
