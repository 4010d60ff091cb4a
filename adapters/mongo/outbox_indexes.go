package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
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
//   - {at} on the claims serves Purge, which deletes what the claims' own
//     clean-up (see dropClaims) left.
func (o *Outbox) EnsureIndexes(ctx context.Context, retention time.Duration) error {
	indexes := []struct {
		coll *mongo.Collection
		keys bson.D
	}{
		{o.msgs, bson.D{{Key: "state", Value: 1}, {Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}},
		{o.claims, bson.D{{Key: "at", Value: 1}}},
	}
	for _, ix := range indexes {
		if err := createIndex(ctx, ix.coll, mongo.IndexModel{Keys: ix.keys}, o.timeout); err != nil {
			return err
		}
	}
	return ensureExpiringIndex(ctx, o.msgs, "finished_at", retention, o.timeout)
}
