package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/pwreset/pwreset/ports"
)

// MarkSentBatch implements ports.Outbox in one command: an unordered bulk of the
// updates MarkSent makes, each filtered on its own lease. Its reply counts the
// updates that applied, not which: only when some did not does one find tell, by
// the mark settled_by that this batch leaves on its own (a new ObjectId), which
// applied, which lost their lease (a message sent already, by an earlier call
// with this very delivery too) and which are not there, as MarkSent tells them.
func (o *Outbox) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	errs := make([]error, len(ds))
	batch := bson.NewObjectID()
	var models []mongo.WriteModel
	var index []int // each model's delivery
	for i, d := range ds {
		oid, ok := messageID(d.ID)
		if !ok {
			errs[i] = ports.ErrMessageNotFound
			continue
		}
		filter := bson.D{{Key: "_id", Value: oid}, {Key: "state", Value: ports.StateSending}, {Key: "lease_owner", Value: d.Owner}}
		update := finish(ports.StateSent, d.At, bson.E{Key: "provider_id", Value: d.ProviderID}, bson.E{Key: "settled_by", Value: batch})
		models = append(models, mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(update))
		index = append(index, i)
	}
	if len(models) == 0 {
		return errs
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	op := fmt.Sprintf("mark %d messages sent", len(models))
	res, err := o.msgs.BulkWrite(opCtx, models, options.BulkWrite().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil && res.MatchedCount == int64(len(models)):
		return errs
	case err == nil:
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0:
		for _, we := range bwe.WriteErrors { // refused, surely not applied; the others may have
			errs[index[we.Index]] = o.failWrite(ctx, op, err)
		}
	default:
		for _, i := range index {
			errs[i] = o.failWrite(ctx, op, err)
		}
		return errs
	}
	o.unsettled(ctx, opCtx, ds, index, batch, errs)
	return errs
}

// unsettled sets the results of the deliveries index names that have none yet,
// by one find: those batch marked applied, the others that are there lost their
// lease, the rest are not found. It reads the primary, which holds the batch's
// writes.
func (o *Outbox) unsettled(ctx, opCtx context.Context, ds []ports.Delivery, index []int, batch bson.ObjectID, errs []error) {
	var ids bson.A
	for _, i := range index {
		if errs[i] == nil {
			oid, _ := messageID(ds[i].ID)
			ids = append(ids, oid)
		}
	}
	if len(ids) == 0 { // every one was refused
		return
	}
	primary := o.msgs.Database().Collection(o.msgs.Name(), options.Collection().SetReadPreference(readpref.Primary()))
	cur, err := primary.Find(opCtx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "settled_by", Value: 1}}).SetBatchSize(int32(len(ids))))
	var docs []struct {
		ID        any           `bson:"_id"`
		SettledBy bson.ObjectID `bson:"settled_by"`
	}
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	found := map[string]bool{} // by the port's id: whether this batch settled it
	for _, d := range docs {
		found[idString(d.ID)] = d.SettledBy == batch
	}
	for _, i := range index {
		mine, there := found[ds[i].ID]
		switch {
		case errs[i] != nil:
		case err != nil:
			errs[i] = o.fail(ctx, fmt.Sprintf("look %d messages up", len(ids)), err)
		case !there:
			errs[i] = ports.ErrMessageNotFound
		case !mine:
			errs[i] = ports.ErrLeaseLost
		}
	}
}
