package mongo

import (
	"context"
	"errors"
	"fmt"
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
// shared by every instance of the service, for per-IP throttling. An event is
// one document {_id, key, at, tickets}; the tickets keep every limit exact under
// races (see tickets.go), in fields with unique indexes.
type RateLimiter struct {
	events  *mongo.Collection
	timeout time.Duration
	indexes *ticketIndexes
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
	events := db.Collection(cfg.Collection)
	return &RateLimiter{events: events, timeout: cfg.Timeout, indexes: &ticketIndexes{coll: events}}
}

// Allow implements ports.RateLimiter exactly, however many callers race: one
// read of the key's events, and the insert of the event with its tickets unless
// the window is full (see record). Events after now count
// as well: only a clock set back, or an instance whose clock is ahead, records
// them, and counting them errs on the side of the limit.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, time.Duration, error) {
	if limit < 1 || window <= 0 {
		return false, 0, fmt.Errorf("mongo: rate limit of %d per %s: want at least 1 per positive window", limit, window)
	}
	return r.record(ctx, ports.Limit{Key: key, Max: limit, Window: window}, now)
}

// allowField names the tickets of Allow's events.
const allowField = "allow"

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
// at: -1} for Allow and Latest, the unique indexes of Allow's tickets, and {at: 1} for Purge, a TTL index of keep, the longest window (see Purge),
// where the server has them. Every instance may call it at start.
func (r *RateLimiter) EnsureIndexes(ctx context.Context, keep time.Duration) error {
	if err := createIndex(ctx, r.events, mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}, {Key: "at", Value: -1}}}, r.timeout); err != nil {
		return err
	}
	opCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.indexes.ensure(opCtx, []string{allowField}); err != nil {
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
