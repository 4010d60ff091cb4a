package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// MarkSent implements ports.Outbox.
func (o *Outbox) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	return o.settle(ctx, "mark sent", id, owner, finish(ports.StateSent, at, bson.E{Key: "provider_id", Value: providerID}))
}

// MarkFailed implements ports.Outbox.
func (o *Outbox) MarkFailed(ctx context.Context, id, owner, reason string, at time.Time) error {
	return o.settle(ctx, "mark failed", id, owner, finish(ports.StateFailed, at, bson.E{Key: "last_error", Value: reason}))
}

// Reschedule implements ports.Outbox; the lease is released.
func (o *Outbox) Reschedule(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return o.settle(ctx, "reschedule", id, owner, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "state", Value: ports.StatePending},
			{Key: "next_attempt_at", Value: next},
			{Key: "last_error", Value: lastError},
		}},
		{Key: "$unset", Value: bson.D{{Key: "lease_owner", Value: ""}, {Key: "lease_expires", Value: ""}}},
	})
}

// finish settles a message for good in state, with fields recording how. The body
// goes with the lease: it holds the reset link, which nobody needs any more and
// which must not outlive its use in a database's backups.
func finish(state string, at time.Time, fields ...bson.E) bson.D {
	return bson.D{
		{Key: "$set", Value: append(bson.D{{Key: "state", Value: state}, {Key: "finished_at", Value: at}}, fields...)},
		{Key: "$unset", Value: bson.D{
			{Key: "message.subject", Value: ""}, {Key: "message.text", Value: ""}, {Key: "message.html", Value: ""},
			{Key: "lease_owner", Value: ""}, {Key: "lease_expires", Value: ""},
		}},
	}
}

// settle applies update to a message owner holds, in one update filtered on the
// owner, which MongoDB applies atomically: a worker whose lease expired while it
// was sending cannot settle what the one that claimed the message after it
// holds. A message that is gone reports ErrMessageNotFound; one leased to
// someone else, or settled, ErrLeaseLost. The owner must name one claim, not a
// process: the Dispatcher gives each claim an owner of its own.
func (o *Outbox) settle(ctx context.Context, op, id, owner string, update bson.D) error {
	oid, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	filter := bson.D{{Key: "_id", Value: oid}, {Key: "state", Value: ports.StateSending}, {Key: "lease_owner", Value: owner}}
	res, err := o.msgs.UpdateOne(opCtx, filter, update)
	if err != nil {
		return o.failWrite(ctx, op+" message "+id, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	err = o.msgs.FindOne(opCtx, bson.D{{Key: "_id", Value: oid}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err != nil {
		return o.fail(ctx, "look message "+id+" up", err) // ErrNoDocuments is ErrMessageNotFound
	}
	return ports.ErrLeaseLost
}
