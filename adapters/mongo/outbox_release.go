package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// Release implements ports.Outbox in one update, filtered on the state so that a
// message a worker has claimed meanwhile is left to it.
func (o *Outbox) Release(ctx context.Context, id string, at time.Time) error {
	oid, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.msgs.UpdateOne(opCtx, bson.D{{Key: "_id", Value: oid}, {Key: "state", Value: ports.StatePending}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "next_attempt_at", Value: at}}}})
	if err != nil {
		return o.fail(ctx, "release message "+id, err)
	}
	if res.MatchedCount == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}
