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

// ensureExpiringIndex creates the index {field: 1} on coll. With ttl > 0 it is a
// TTL index: MongoDB itself deletes the documents ttl after their field's time,
// and a ttl changed since is set on the existing index. A server without TTL
// indexes (FerretDB) gets a plain one, and the caller's purge does the job.
func ensureExpiringIndex(ctx context.Context, coll *mongo.Collection, field string, ttl, timeout time.Duration) error {
	keys := bson.D{{Key: field, Value: 1}}
	plain := mongo.IndexModel{Keys: keys}
	if ttl <= 0 {
		err := createIndex(ctx, coll, plain, timeout)
		if hasCode(err, codeIndexOptionsConflict) {
			// A TTL index from a former setting would go on deleting what is now
			// to be kept for ever; dropping an index is for the operator to do.
			return fmt.Errorf("mongo: %s: documents are to be kept for ever but the index on %s "+
				"has a TTL from an earlier setting; drop it: db.%s.dropIndex({%s: 1}): %w", coll.Name(), field, coll.Name(), field, err)
		}
		return err
	}
	secs := int32(min(math.Ceil(ttl.Seconds()), math.MaxInt32))
	err := createIndex(ctx, coll, mongo.IndexModel{Keys: keys, Options: options.Index().SetExpireAfterSeconds(secs)}, timeout)
	switch {
	case hasCode(err, codeNotImplemented), hasCode(err, codeCommandNotSupported):
		return createIndex(ctx, coll, plain, timeout)
	case hasCode(err, codeIndexOptionsConflict):
		// The index exists with another TTL, or none (since MongoDB 5.1 collMod
		// can add one).
		opCtx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err = coll.Database().RunCommand(opCtx, bson.D{
			{Key: "collMod", Value: coll.Name()},
			{Key: "index", Value: bson.D{{Key: "keyPattern", Value: keys}, {Key: "expireAfterSeconds", Value: secs}}},
		}).Err()
		if err != nil {
			return translate(ctx, fmt.Sprintf("set the TTL of the %s index of %s to %ds", field, coll.Name(), secs), err)
		}
		return nil
	}
	return err
}

// createIndex creates one index on coll, unless it exists with the same options.
func createIndex(ctx context.Context, coll *mongo.Collection, model mongo.IndexModel, timeout time.Duration) error {
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := coll.Indexes().CreateOne(opCtx, model); err != nil {
		return translate(ctx, fmt.Sprintf("create index %v on %s", model.Keys, coll.Name()), err)
	}
	return nil
}

// hasCode tells whether err is a server error with code.
func hasCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
