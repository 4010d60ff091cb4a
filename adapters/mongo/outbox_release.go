package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/ports"
)

// Release implements ports.Outbox in one update, filtered on the state so that a
// message a worker has claimed meanwhile is left to it. The message falls due at
// the server's now (see serverClock): at, the caller's now, counts only where the
// outbox uses the callers' clock.
func (o *Outbox) Release(ctx context.Context, id string, at time.Time) error {
	oid, ok := messageID(id)
	if !ok {
		return ports.ErrMessageNotFound
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	due, err := o.clock.now(opCtx, at)
	if err != nil {
		return o.fail(ctx, "read the server's clock", err)
	}
	res, err := o.msgs.UpdateOne(opCtx, bson.D{{Key: "_id", Value: oid}, {Key: "state", Value: ports.StatePending}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "next_attempt_at", Value: due}}}})
	if err != nil {
		return o.failWrite(ctx, "release message "+id, err)
	}
	if res.MatchedCount == 0 {
		return ports.ErrMessageNotFound
	}
	return nil
}
