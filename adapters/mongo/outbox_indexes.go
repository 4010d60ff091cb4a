package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// EnsureIndexes creates the indexes the outbox's queries need, unless they exist.
// Every instance may call it at start; it creates nothing twice.
//
//   - {state, next_attempt_at, _id} serves Claim, sort included, so that a
//     backlog of due messages costs it nothing; and Failed and Stats.
//   - {events, events_at} serves AddLimited's reads of a request's limits and
//     LatestEvent.
//   - {finished_at} serves Purge. With retention > 0 it is a TTL index: MongoDB
//     itself deletes the messages retention after they finished (eventsKept at
//     least, so that no limit event is deleted while it counts), between two
//     Purges, and a retention changed since is set on the existing index. A server
//     without TTL indexes (FerretDB) gets a plain one; Purge does the job anyway.
//
// The unique indexes of the limits' tickets (see tickets.go) are created for each
// of reasons, the Reasons of the limits AddLimited will be given; AddLimited
// creates those of a Reason it meets that was not given here, once per process,
// on a request's time.
func (o *Outbox) EnsureIndexes(ctx context.Context, retention time.Duration, reasons ...string) error {
	for _, keys := range []bson.D{
		{{Key: "state", Value: 1}, {Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}},
		{{Key: "events", Value: 1}, {Key: "events_at", Value: -1}},
	} {
		if err := createIndex(ctx, o.msgs, mongo.IndexModel{Keys: keys}, o.timeout); err != nil {
			return err
		}
	}
	limits := make([]ports.Limit, len(reasons))
	for i, r := range reasons {
		limits[i].Reason = r
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := o.indexes.ensure(opCtx, ticketFields(limits)); err != nil {
		return translate(ctx, "create the unique indexes of the limits' tickets", err)
	}
	if retention > 0 {
		retention = max(retention, eventsKept)
	}
	return ensureExpiringIndex(ctx, o.msgs, "finished_at", retention, o.timeout)
}
