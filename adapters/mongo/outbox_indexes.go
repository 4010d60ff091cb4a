package mongo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Server error codes EnsureIndexes tells apart.
const (
	codeIndexOptionsConflict  = 85  // an index on the same keys exists with other options
	codeIndexKeySpecsConflict = 86  // an index of the same name exists on other keys
	codeCommandNotSupported   = 115 // some MongoDB-compatible servers lack TTL indexes
	codeNotImplemented        = 238 // FerretDB v1 has no TTL indexes
)

// EnsureIndexes creates the indexes the outbox's queries need, unless they exist.
// Every instance may call it at start; it creates nothing twice.
//
//   - {state, next_attempt_at, _id} on the messages serves Claim, sort included,
//     so that a backlog of due messages costs it nothing; and Failed and Stats.
//   - {finished_at} serves Purge. With retention > 0 it is a TTL index: MongoDB
//     itself deletes the messages retention after they finished, between two
//     Purges, and a retention changed since is set on the existing index. A server
//     without TTL indexes (FerretDB) gets a plain one; Purge does the job anyway.
//   - {at} on the claims serves Purge.
func (o *Outbox) EnsureIndexes(ctx context.Context, retention time.Duration) error {
	indexes := []struct {
		coll *mongo.Collection
		keys bson.D
	}{
		{o.msgs, bson.D{{Key: "state", Value: 1}, {Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}},
		{o.claims, bson.D{{Key: "at", Value: 1}}},
	}
	for _, ix := range indexes {
		if err := o.createIndex(ctx, ix.coll, mongo.IndexModel{Keys: ix.keys}); err != nil {
			return err
		}
	}
	return o.ensureFinishedIndex(ctx, retention)
}

// ensureFinishedIndex creates the {finished_at} index, with a TTL of retention if
// retention > 0 and the server has TTL indexes.
func (o *Outbox) ensureFinishedIndex(ctx context.Context, retention time.Duration) error {
	keys := bson.D{{Key: "finished_at", Value: 1}}
	plain := mongo.IndexModel{Keys: keys}
	if retention <= 0 {
		err := o.createIndex(ctx, o.msgs, plain)
		if hasCode(err, codeIndexOptionsConflict) {
			// A TTL index from a former retention would go on deleting what is now
			// to be kept for ever; dropping an index is for the operator to do.
			return fmt.Errorf("mongo: outbox: the retention is 0 (keep for ever) but an index on finished_at "+
				"has a TTL from an earlier retention; drop it: db.%s.dropIndex({finished_at: 1}): %w", o.msgs.Name(), err)
		}
		return err
	}
	secs := int32(min(math.Ceil(retention.Seconds()), math.MaxInt32))
	err := o.createIndex(ctx, o.msgs, mongo.IndexModel{Keys: keys, Options: options.Index().SetExpireAfterSeconds(secs)})
	switch {
	case hasCode(err, codeNotImplemented), hasCode(err, codeCommandNotSupported):
		return o.createIndex(ctx, o.msgs, plain)
	case hasCode(err, codeIndexOptionsConflict):
		// The index exists with another TTL, or none (since MongoDB 5.1 collMod
		// can add one).
		opCtx, cancel := context.WithTimeout(ctx, o.timeout)
		defer cancel()
		err = o.msgs.Database().RunCommand(opCtx, bson.D{
			{Key: "collMod", Value: o.msgs.Name()},
			{Key: "index", Value: bson.D{{Key: "keyPattern", Value: keys}, {Key: "expireAfterSeconds", Value: secs}}},
		}).Err()
		if err != nil {
			return translate(ctx, fmt.Sprintf("outbox: set the TTL of the finished_at index of %s to %ds", o.msgs.Name(), secs), err)
		}
		return nil
	}
	return err
}

// createIndex creates one index on coll, unless it exists with the same options.
func (o *Outbox) createIndex(ctx context.Context, coll *mongo.Collection, model mongo.IndexModel) error {
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if _, err := coll.Indexes().CreateOne(opCtx, model); err != nil {
		return translate(ctx, fmt.Sprintf("outbox: create index %v on %s", model.Keys, coll.Name()), err)
	}
	return nil
}

// hasCode tells whether err is a server error with code.
func hasCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
