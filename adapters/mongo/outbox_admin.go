package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// Failed implements ports.Outbox, oldest CreatedAt first (then in order of arrival).
func (o *Outbox) Failed(ctx context.Context) ([]ports.Envelope, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	sort := options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}})
	cur, err := o.msgs.Find(opCtx, bson.D{{Key: "state", Value: ports.StateFailed}}, sort)
	var docs []envelopeDoc
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	if err != nil {
		return nil, o.fail(ctx, "list failed messages", err)
	}
	envs := make([]ports.Envelope, len(docs))
	for i, d := range docs {
		envs[i] = d.envelope()
	}
	return envs, nil
}

// Purge implements ports.Outbox. A message whose limit events may still count
// (see tickets.go) stays until they no longer do, so that purging never lifts a
// limit early. The {finished_at} index serves it.
func (o *Outbox) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.msgs.DeleteMany(opCtx, bson.D{
		{Key: "state", Value: bson.D{{Key: "$in", Value: bson.A{ports.StateSent, ports.StateFailed, ports.StateSuppressed}}}},
		{Key: "finished_at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "keep_until", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "keep_until", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
		}},
	})
	if err != nil {
		return 0, o.failWrite(ctx, "purge finished messages", err)
	}
	return int(res.DeletedCount), nil
}
