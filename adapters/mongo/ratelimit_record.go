package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// record records one event of l's key at now, with its tickets (see tickets.go),
// if the window has room; otherwise it returns false and how long until it has
// room. An insert that loses a ticket to a racing caller changes nothing and is
// made again from a new read; one whose answer is lost is looked for by its _id.
func (r *RateLimiter) record(ctx context.Context, l ports.Limit, now time.Time) (bool, time.Duration, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.indexes.ensure(opCtx, []string{allowField}); err != nil {
		return false, 0, r.fail(ctx, "create the unique indexes of the tickets", err)
	}
	id := bson.NewObjectID()
	for range maxTicketRounds {
		counters, err := readCounters(opCtx, r.events, limiterEvents, []ports.Limit{l}, now)
		if err != nil {
			return false, 0, r.fail(ctx, "read the events", err)
		}
		c := counters[0]
		if !c.room(now) {
			return false, c.retryAfter(now), nil
		}
		doc := bson.D{{Key: "_id", Value: id}, {Key: "key", Value: l.Key}, {Key: "at", Value: now}}
		if !l.RecordsOnly() { // one that only records reads nothing and needs no tickets (tickets.go)
			doc = append(doc, bson.E{Key: "tickets", Value: bson.D{{Key: allowField, Value: c.claim(now)}}})
		}
		_, err = r.events.InsertOne(opCtx, doc)
		switch {
		case err == nil:
			return true, 0, nil
		case mongo.IsDuplicateKeyError(err):
			continue // a racing caller took a ticket: its event counts now
		case unclear(err):
			return r.settle(ctx, id, err)
		}
		return false, 0, r.fail(ctx, "record an event", err)
	}
	return false, 0, fmt.Errorf("mongo: rate limiter: lost the race for a ticket %d times: %w", maxTicketRounds, ports.ErrUnavailable)
}

// settle finds out whether the event id, whose insert err left unclear, was
// recorded: read from the primary with read concern "majority", it is there for
// good, and the hit was allowed. Not found, the outcome stays unknown.
func (r *RateLimiter) settle(ctx context.Context, id bson.ObjectID, err error) (bool, time.Duration, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	rerr := durable(r.events).FindOne(rctx, bson.D{{Key: "_id", Value: id}}).Err()
	if rerr == nil {
		return true, 0, nil // recorded; only its answer was lost
	}
	if !errors.Is(rerr, mongo.ErrNoDocuments) {
		err = errors.Join(err, rerr)
	}
	return false, 0, r.fail(ctx, "record an event: the outcome is unknown", err)
}
