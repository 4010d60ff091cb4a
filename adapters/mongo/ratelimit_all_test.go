package mongo_test

import (
	"errors"
	"fmt"
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

// TestAllowAllFailedInsert: the insert of a link's events fails (never sent, or
// landed with its answer lost). The request fails with ErrUnavailable (503, try
// again), and leaves no event behind: the retry a second later is allowed, on
// every limit, and counted once.
func TestAllowAllFailedInsert(t *testing.T) {
	for name, mode := range map[string]int{"never sent": dropRequest, "answer lost": loseReply} {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			prepareLimiter(t, db)
			fdb, f := faulty(t, db)
			l := mongo.NewRateLimiter(fdb, mongo.RateLimitConfig{})
			f.arm("insert", "rate_limits", mode)
			refused, _, err := l.AllowAll(testCtx(t), linkLimits, t0)
			if !errors.Is(err, ports.ErrUnavailable) || f.pending() != 0 {
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

// TestAllowAllDocuments: a limit-1 key's event is named after the key's latest
// event and carries its time as its turn; the others are plain events.
func TestAllowAllDocuments(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := prepareLimiter(t, db)
	cool := linkLimits[:1]
	allowAll(t, l, cool, t0, -1, 0)
	allowAll(t, l, cool, t0.Add(time.Minute), -1, 0)
	want := []string{fmt.Sprint("cool:dora:", t0.UnixMilli()), "cool:dora:none"} // sorted
	if got := stringIDs(t, db.Collection("rate_limits")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("named events %v, want %v", got, want)
	}
	var doc bson.M
	if err := db.Collection("rate_limits").FindOne(testCtx(t), bson.D{{Key: "_id", Value: "cool:dora:none"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc["key"] != "cool:dora" || doc["at"] != bson.NewDateTimeFromTime(t0) || doc["turn"] != doc["at"] || len(doc) != 4 {
		t.Fatalf("turn stored as %v; want {_id, key, at, turn: at}", doc)
	}
}

// TestAllowAllClockSkew: an instance whose clock is behind recorded the event
// after the latest one with an earlier time, so that the latest event by time is
// not the last of the chain. The next request, once the window is over, follows
// the chain to its end instead of being refused for ever.
func TestAllowAllClockSkew(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := prepareLimiter(t, db)
	cool := linkLimits[:1]
	allowAll(t, l, cool, t0, -1, 0)
	plantEvent(t, db, bson.D{{Key: "_id", Value: fmt.Sprint("cool:dora:", t0.UnixMilli())}, {Key: "key", Value: "cool:dora"},
		{Key: "at", Value: t0.Add(-time.Second)}, {Key: "turn", Value: t0.Add(-time.Second)}})
	allowAll(t, l, cool, t0.Add(30*time.Second), 0, 30*time.Second)
	allowAll(t, l, cool, t0.Add(time.Hour), -1, 0)
	allowAll(t, l, cool, t0.Add(time.Hour+time.Second), 0, time.Minute-time.Second)
}

// TestAllowAllAfterAllow: events a limit-1 key got before AllowAll (from Allow,
// or stored by an earlier version, without a turn's time) hold it all the same,
// and name its next turn.
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

// plantEvent stores an event as another instance, or an earlier version, left it.
func plantEvent(t *testing.T, db *driver.Database, doc bson.D) {
	t.Helper()
	if _, err := db.Collection("rate_limits").InsertOne(testCtx(t), doc); err != nil {
		t.Fatal(err)
	}
}

// TestAllowAllTwoCooldowns: of two limit-1 keys, the second's turn is taken (here
// by an event out of order, as in TestAllowAllClockSkew) after the first's event
// went in: that event is taken back before the next try, which records each once.
func TestAllowAllTwoCooldowns(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := prepareLimiter(t, db)
	a, b := ports.Limit{Key: "cool:a", Max: 1, Window: time.Minute}, ports.Limit{Key: "cool:b", Max: 1, Window: time.Minute}
	allowAll(t, l, []ports.Limit{b}, t0, -1, 0)
	plantEvent(t, db, bson.D{{Key: "_id", Value: fmt.Sprint("cool:b:", t0.UnixMilli())}, {Key: "key", Value: "cool:b"},
		{Key: "at", Value: t0.Add(-time.Second)}, {Key: "turn", Value: t0.Add(-time.Second)}})
	now := t0.Add(time.Hour)
	allowAll(t, l, []ports.Limit{a, b}, now, -1, 0)
	for _, k := range []string{"cool:a", "cool:b"} {
		if got, err := l.Latest(testCtx(t), k); err != nil || !got.Equal(now) {
			t.Fatalf("Latest(%s) = %v, %v; want %v", k, got, err, now)
		}
	}
	if n, err := db.Collection("rate_limits").CountDocuments(testCtx(t), bson.D{{Key: "key", Value: "cool:a"}}); err != nil || n != 1 {
		t.Fatalf("%d events of cool:a (%v); want 1", n, err)
	}
	allowAll(t, l, []ports.Limit{a, b}, now.Add(time.Second), 0, time.Minute-time.Second)
}
