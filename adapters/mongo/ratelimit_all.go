package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/ports"
)

// AllowAll implements ports.RateLimiter exactly, however many callers race, in
// one read and, with room in every limit, one insert: a single document records
// the event of every key ({key: [keys], at, tickets}), so that all are recorded
// or none, and its tickets (see tickets.go) settle races as Allow's do. A
// refusal costs the read alone. The tickets of the i-th limit go to the field
// "limit<i>", so a key must be given at the same place in every call (the link
// request's limits are: cooldown, daily cap, hourly cap). The link's limits move
// to Outbox.AddLimited, which stores them with the message itself (issue 17).
func (r *RateLimiter) AllowAll(ctx context.Context, limits []ports.Limit, now time.Time) (int, time.Duration, error) {
	if err := ports.CheckLimits(limits); err != nil {
		return 0, 0, fmt.Errorf("mongo: %w", err)
	}
	if len(limits) == 0 {
		return -1, 0, nil
	}
	return r.record(ctx, limits, placeFields(len(limits)), now)
}

// placedLimits is how many places of AllowAll's limits EnsureIndexes prepares;
// AllowAll prepares those of more, on first use.
const placedLimits = 4

// placeFields names the ticket fields of AllowAll's first n limits.
func placeFields(n int) []string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fmt.Sprint("limit", i)
	}
	return fields
}

// record records one event at now of each of limits' keys, in one document with
// their tickets in fields, if every limit has room; otherwise it returns the
// index of the first without, and how long until it has room. An insert that
// loses a ticket to a racing caller changes nothing and is made again from a new
// read; one whose answer is lost is looked for by its _id.
func (r *RateLimiter) record(ctx context.Context, limits []ports.Limit, fields []string, now time.Time) (int, time.Duration, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.indexes.ensure(opCtx, fields); err != nil {
		return 0, 0, r.fail(ctx, "create the unique indexes of the tickets", err)
	}
	id := bson.NewObjectID()
	for range maxTicketRounds {
		counters, err := readCounters(opCtx, r.events, limiterEvents, limits, now)
		if err != nil {
			return 0, 0, r.fail(ctx, "read the events", err)
		}
		if i := slices.IndexFunc(counters, func(c *counter) bool { return !c.room(now) }); i >= 0 {
			return i, counters[i].retryAfter(now), nil
		}
		_, err = r.events.InsertOne(opCtx, eventDoc(id, counters, fields, now))
		switch {
		case err == nil:
			return -1, 0, nil
		case mongo.IsDuplicateKeyError(err):
			continue // a racing caller took a ticket: its event counts now
		case unclear(err):
			return r.settle(ctx, id, err)
		}
		return 0, 0, r.fail(ctx, "record events", err)
	}
	return 0, 0, fmt.Errorf("mongo: rate limiter: lost the race for a ticket %d times: %w", maxTicketRounds, ports.ErrUnavailable)
}

// eventDoc is the document of the events of counters at now: its key a string
// for one, an array for several (a query for one key matches either).
func eventDoc(id bson.ObjectID, counters []*counter, fields []string, now time.Time) bson.D {
	var key any = counters[0].Key
	if len(counters) > 1 {
		keys := make(bson.A, len(counters))
		for i, c := range counters {
			keys[i] = c.Key
		}
		key = keys
	}
	ts := make(bson.D, len(counters))
	for i, c := range counters {
		ts[i] = bson.E{Key: fields[i], Value: c.claim(now)}
	}
	return bson.D{{Key: "_id", Value: id}, {Key: "key", Value: key}, {Key: "at", Value: now}, {Key: "tickets", Value: ts}}
}

// settle finds out whether the event document id, whose insert err left
// unclear, was recorded: read from the primary with read concern "majority", it
// is there for good, and the events were allowed. Not found, the outcome stays
// unknown.
func (r *RateLimiter) settle(ctx context.Context, id bson.ObjectID, err error) (int, time.Duration, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	rerr := durable(r.events).FindOne(rctx, bson.D{{Key: "_id", Value: id}}).Err()
	if rerr == nil {
		return -1, 0, nil // recorded; only its answer was lost
	}
	if !errors.Is(rerr, mongo.ErrNoDocuments) {
		err = errors.Join(err, rerr)
	}
	return 0, 0, r.fail(ctx, "record events: the outcome is unknown", err)
}
