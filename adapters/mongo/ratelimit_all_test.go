package mongo_test

import (
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// linkLimits are a link request's limits, as domain/reset gives them.
var linkLimits = []ports.Limit{{Key: "cool:dora", Max: 1, Window: time.Minute},
	{Key: "user:dora", Max: 5, Window: 24 * time.Hour}, {Key: "global", Max: 1000, Window: time.Hour}}

// allowAll calls AllowAll and checks the limit it refused (-1: none) and retryAfter.
func allowAll(t *testing.T, l *mongo.RateLimiter, limits []ports.Limit, now time.Time, refused int, retry time.Duration) {
	t.Helper()
	got, gotRetry, err := l.AllowAll(testCtx(t), limits, now)
	if err != nil || got != refused || (refused >= 0 && gotRetry != retry) {
		t.Fatalf("AllowAll at %v = %d, %s, %v; want %d, %s", now, got, gotRetry, err, refused, retry)
	}
}

// TestAllowAllFailedInsert: the insert of a link's events fails. Never sent, the
// request fails with ErrUnavailable (503, try again) and leaves no event behind:
// the retry a second later is allowed, on every limit, and counted once. Landed
// with its answer lost, the request finds its events (by the _id it chose, read
// with read concern "majority") and is allowed, counted once.
func TestAllowAllFailedInsert(t *testing.T) {
	for name, mode := range map[string]int{"never sent": dropRequest, "answer lost": loseReply} {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			prepareLimiter(t, db)
			fdb, f := faulty(t, db)
			l := mongo.NewRateLimiter(fdb, mongo.RateLimitConfig{})
			f.arm("insert", "rate_limits", mode)
			refused, _, err := l.AllowAll(testCtx(t), linkLimits, t0)
			if f.pending() != 0 {
				t.Fatal("the fault never hit")
			}
			if mode == loseReply {
				if refused != -1 || err != nil {
					t.Fatalf("AllowAll whose answer was lost = %d, %v; want allowed", refused, err)
				}
				allowAll(t, l, linkLimits, t0.Add(time.Second), 0, time.Minute-time.Second)
				return
			}
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("AllowAll whose insert failed = %d, %v; want ErrUnavailable", refused, err)
			}
			if n, err := db.Collection("rate_limits").CountDocuments(testCtx(t), bson.D{}); err != nil || n != 0 {
				t.Fatalf("%d events left behind (%v); want none", n, err)
			}
			allowAll(t, l, linkLimits, t0.Add(time.Second), -1, 0)
			allowAll(t, l, linkLimits, t0.Add(2*time.Second), 0, time.Minute-time.Second)
		})
	}
}

// TestAllowAllAfterAllow: events a limit-1 key got apart from AllowAll (from
// Allow, or stored by an earlier version, without tickets) hold it all the same.
func TestAllowAllAfterAllow(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := prepareLimiter(t, db)
	plantEvent(t, db, bson.D{{Key: "_id", Value: "cool:dora:none"}, {Key: "key", Value: "cool:dora"}, {Key: "at", Value: t0}})
	cool := linkLimits[:1]
	allowAll(t, l, cool, t0.Add(time.Second), 0, time.Minute-time.Second)
	allowAll(t, l, cool, t0.Add(time.Minute), -1, 0)
	allow(t, l, "cool:dora", time.Minute, t0.Add(time.Minute+time.Second), false, time.Minute-time.Second)
	allow(t, l, "cool:dora", time.Minute, t0.Add(2*time.Minute), true, 0)
	allowAll(t, l, cool, t0.Add(2*time.Minute+time.Second), 0, time.Minute-time.Second)
	allowAll(t, l, cool, t0.Add(3*time.Minute), -1, 0)
}

// TestAllowAllDocuments: one request's events are one document, its key the
// array of the limits' keys, with a pair of tickets per limit.
func TestAllowAllDocuments(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := prepareLimiter(t, db)
	allowAll(t, l, linkLimits, t0, -1, 0)
	var docs []bson.M
	cur, err := db.Collection("rate_limits").Find(testCtx(t), bson.D{})
	if err == nil {
		err = cur.All(testCtx(t), &docs)
	}
	if err != nil || len(docs) != 1 {
		t.Fatalf("%d documents (%v); want 1", len(docs), err)
	}
	keys, _ := docs[0]["key"].(bson.A)
	tickets, _ := docs[0]["tickets"].(bson.D)
	if len(keys) != len(linkLimits) || len(tickets) != len(linkLimits) || docs[0]["at"] != bson.NewDateTimeFromTime(t0) {
		t.Fatalf("events stored as %v; want {key: [%d keys], at, tickets: %d pairs}", docs[0], len(linkLimits), len(linkLimits))
	}
	for _, l := range linkLimits {
		if got, err := prepareLimiter(t, db).Latest(testCtx(t), l.Key); err != nil || !got.Equal(t0) {
			t.Fatalf("Latest(%s) = %v, %v; want %v", l.Key, got, err, t0)
		}
	}
}

// plantEvent stores an event as another instance, or an earlier version, left it.
func plantEvent(t *testing.T, db *driver.Database, doc bson.D) {
	t.Helper()
	if _, err := db.Collection("rate_limits").InsertOne(testCtx(t), doc); err != nil {
		t.Fatal(err)
	}
}
