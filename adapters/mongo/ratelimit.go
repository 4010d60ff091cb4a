package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/ports"
)

// RateLimitConfig says where a RateLimiter keeps its events. Empty fields take the
// defaults noted beside them.
type RateLimitConfig struct {
	// Collection holds the events; default "rate_limits".
	Collection string
	// Timeout bounds each call on top of the caller's own deadline; default
	// DefaultTimeout.
	Timeout time.Duration
}

// RateLimiter is the ports.RateLimiter of a MongoDB collection that pwreset owns,
// shared by every instance of the service. An event is one document {_id, key,
// at}; those Allow records also carry the tickets that keep its limits exact
// under races (see tickets.go), in fields with unique indexes. AllowAll checks
// several limits in one aggregate and records their events in one ordered insert
// (see AllowAll).
type RateLimiter struct {
	events  *mongo.Collection
	timeout time.Duration
	indexed atomic.Bool // the tickets' unique indexes exist
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// NewRateLimiter returns the limiter cfg names in db, with cfg's empty fields set
// to their defaults. It touches nothing; call EnsureIndexes once at start.
func NewRateLimiter(db *mongo.Database, cfg RateLimitConfig) *RateLimiter {
	if cfg.Collection == "" {
		cfg.Collection = "rate_limits"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &RateLimiter{
		events:  db.Collection(cfg.Collection),
		timeout: cfg.Timeout,
	}
}

// Allow implements ports.RateLimiter exactly, however many callers race: it reads
// the key's events (one find), and inserts the event with its tickets unless the
// window is full; an insert that loses a ticket to a racing caller changes
// nothing and is made again from a new read. Events after now count as well: only
// a clock set back, or an instance whose clock is ahead, records them, and
// counting them errs on the side of the limit.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if limit < 1 || window <= 0 {
		return false, 0, fmt.Errorf("mongo: rate limit of %d per %s: want at least 1 per positive window", limit, window)
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.ticketIndexes(opCtx); err != nil {
		return false, 0, r.fail(ctx, "create the unique indexes of the tickets", err)
	}
	id := bson.NewObjectID()
	for range maxTicketRounds {
		c, err := r.count(opCtx, ports.Limit{Key: key, Max: limit, Window: window}, now)
		if err != nil {
			return false, 0, r.fail(ctx, "read the events", err)
		}
		if !c.room(now) {
			return false, c.retryAfter(now), nil
		}
		_, err = r.events.InsertOne(opCtx, bson.D{{Key: "_id", Value: id}, {Key: "key", Value: key},
			{Key: "at", Value: now}, {Key: "tickets", Value: bson.D{{Key: allowField, Value: c.claim(now)}}}})
		switch {
		case err == nil:
			return true, 0, nil
		case mongo.IsDuplicateKeyError(err):
			continue // a racing caller took the ticket: its event counts now
		case unclear(err):
			return r.settle(ctx, id, err)
		}
		return false, 0, r.fail(ctx, "record an event", err)
	}
	return false, 0, fmt.Errorf("mongo: rate limiter: lost the race for a ticket %d times: %w", maxTicketRounds, ports.ErrUnavailable)
}

// settle finds out whether the event id, whose insert err left unclear, was
// recorded: read from the primary with read concern "majority", it is there
// for good, and the hit was allowed. Not found, the outcome stays unknown.
func (r *RateLimiter) settle(ctx context.Context, id bson.ObjectID, err error) (bool, time.Duration, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	rerr := durable(r.events).FindOne(rctx, bson.D{{Key: "_id", Value: id}}).Err()
	if rerr == nil {
		return true, 0, nil // recorded; only its answer was lost
	}
	return false, 0, errors.Join(r.fail(ctx, "record an event: the outcome is unknown", err), rerr)
}

// allowField names the tickets of Allow's events.
const allowField = "allow"

// count reads the events of l's key since its counter's start (one find).
func (r *RateLimiter) count(opCtx context.Context, l ports.Limit, now time.Time) (*counter, error) {
	c := newCounter(l)
	cur, err := r.events.Find(opCtx, bson.D{{Key: "key", Value: l.Key}, {Key: "at", Value: bson.D{{Key: "$gte", Value: c.since(now)}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "at", Value: 1}, {Key: "tickets", Value: 1}}))
	var docs []struct {
		At      time.Time          `bson:"at"`
		Tickets map[string]tickets `bson:"tickets"`
	}
	if err == nil {
		err = cur.All(opCtx, &docs)
	}
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		c.see(d.At, d.Tickets[allowField])
	}
	return c, nil
}

// ticketIndexes creates the unique, sparse indexes of Allow's tickets, once per
// limiter (EnsureIndexes does at start).
func (r *RateLimiter) ticketIndexes(opCtx context.Context) error {
	if r.indexed.Load() {
		return nil
	}
	if err := uniqueTickets(opCtx, r.events, "tickets."+allowField); err != nil {
		return err
	}
	r.indexed.Store(true)
	return nil
}

// nth returns the time of the n-th newest event that matches filter, if there are
// n. The {key: 1, at: -1} index serves it, sort included.
func (r *RateLimiter) nth(opCtx context.Context, filter bson.D, n int) (time.Time, bool, error) {
	find := options.FindOne().SetSort(bson.D{{Key: "at", Value: -1}}).SetSkip(int64(n - 1)).
		SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "at", Value: 1}})
	var doc struct {
		At time.Time `bson:"at"`
	}
	err := r.events.FindOne(opCtx, filter, find).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return doc.At.UTC(), true, nil
}

// Undo implements ports.RateLimiter. It deletes the event of key at at; a limit-1
// key's event is its turn too, whose name is then free again.
func (r *RateLimiter) Undo(ctx context.Context, key string, at time.Time) error {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if _, err := r.events.DeleteOne(opCtx, bson.D{{Key: "key", Value: key}, {Key: "at", Value: at}}); err != nil {
		return r.fail(ctx, "undo an event", err)
	}
	return nil
}

// Latest implements ports.RateLimiter.
func (r *RateLimiter) Latest(ctx context.Context, key string) (time.Time, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	latest, _, err := r.nth(opCtx, bson.D{{Key: "key", Value: key}}, 1)
	if err != nil {
		return time.Time{}, r.fail(ctx, "find the latest event", err)
	}
	return latest, nil
}

// Purge implements ports.RateLimiter. Its cutoff must be at least the longest
// window ago, or it lifts limits early. An event deleted while its tickets could
// still be read (see tickets.go) frees no number that matters: numbers are the
// highest read plus one, and a cutoff a window ago leaves every event of the
// current epoch. The {at} index serves it (a TTL index where the server has
// them, when MongoDB deletes most of it first).
func (r *RateLimiter) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	res, err := r.events.DeleteMany(opCtx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}}})
	if err != nil {
		return 0, r.fail(ctx, "purge old events", err)
	}
	return int(res.DeletedCount), nil
}

// EnsureIndexes creates the indexes the limiter needs, unless they exist: {key: 1,
// at: -1} for Allow, AllowAll and Latest, the unique indexes of Allow's tickets,
// and {at: 1} for Purge, a TTL index of keep, the longest window (see Purge),
// where the server has them. Every instance may call it at start.
func (r *RateLimiter) EnsureIndexes(ctx context.Context, keep time.Duration) error {
	if err := createIndex(ctx, r.events, mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}, {Key: "at", Value: -1}}}, r.timeout); err != nil {
		return err
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.ticketIndexes(opCtx); err != nil {
		return translate(ctx, "create the unique indexes of the rate limiter's tickets", err)
	}
	return ensureExpiringIndex(ctx, r.events, "at", keep, r.timeout)
}

// fail translates a driver error of operation op as translate does. Keys stay out
// of the message: they hold e-mail and IP addresses.
func (r *RateLimiter) fail(caller context.Context, op string, err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("mongo: rate limiter: %s: %w", op, err) // not a missing user
	}
	return translate(caller, "rate limiter: "+op, err)
}
