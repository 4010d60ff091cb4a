package mongo_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestRateLimiterContract runs the shared suite, each store a database of its own
// with its index in place; every limiter after the first is on a client of its
// own, as another instance of the service would be.
func TestRateLimiterContract(t *testing.T) {
	contract.TestRateLimiter(t, func(t *testing.T) func() ports.RateLimiter {
		db := mongotest.NewDatabase(t)
		first := true
		return func() ports.RateLimiter {
			if first {
				first = false
				return prepareLimiter(t, db)
			}
			return mongo.NewRateLimiter(sameDatabase(t, db), mongo.RateLimitConfig{})
		}
	})
}

// TestRateLimiterCapRace runs the contract's race for the last places of a limit
// above 1, which the limiter now keeps exact (issue 17, finding 4).
func TestRateLimiterCapRace(t *testing.T) {
	contract.TestRateLimiterCapRace(t, func(t *testing.T) func() ports.RateLimiter {
		db := mongotest.NewDatabase(t)
		prepareLimiter(t, db)
		return func() ports.RateLimiter { return mongo.NewRateLimiter(sameDatabase(t, db), mongo.RateLimitConfig{}) }
	})
}

// prepareLimiter returns the limiter of db ("rate_limits"), with its indexes.
// They have no TTL: on MongoDB one would delete the events of the tests' fixed
// dates while the tests run (TestRateLimiterDocuments checks TTLs).
func prepareLimiter(t *testing.T, db *driver.Database) *mongo.RateLimiter {
	t.Helper()
	l := mongo.NewRateLimiter(db, mongo.RateLimitConfig{})
	if err := l.EnsureIndexes(testCtx(t), 0); err != nil {
		t.Fatalf("EnsureIndexes: %v", err)
	}
	return l
}

// allow calls Allow with limit 1 and checks its answer.
func allow(t *testing.T, l *mongo.RateLimiter, key string, window time.Duration, now time.Time, ok bool, retry time.Duration) {
	t.Helper()
	gotOK, gotRetry, err := l.Allow(testCtx(t), key, 1, window, now)
	if err != nil || gotOK != ok || (!ok && gotRetry != retry) {
		t.Fatalf("Allow(%s) at %v = %v, %s, %v; want %v, %s", key, now, gotOK, gotRetry, err, ok, retry)
	}
}

// TestRateLimiterCooldownRaces: of racing first hits on a key with limit 1, each
// on a client of its own and some a millisecond apart, exactly one is allowed; so
// too after a cooldown.
func TestRateLimiterCooldownRaces(t *testing.T) {
	const racers, w = 8, time.Minute
	cases := []struct {
		name  string
		plant func(t *testing.T, db *driver.Database, l *mongo.RateLimiter)
		at    time.Time
	}{
		{"first", func(*testing.T, *driver.Database, *mongo.RateLimiter) {}, t0},
		{"after a cooldown", func(t *testing.T, _ *driver.Database, l *mongo.RateLimiter) {
			allow(t, l, "race", w, t0, true, 0)
		}, t0.Add(w)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			first := prepareLimiter(t, db)
			c.plant(t, db, first)
			limiters := []*mongo.RateLimiter{first}
			for len(limiters) < racers {
				limiters = append(limiters, mongo.NewRateLimiter(sameDatabase(t, db), mongo.RateLimitConfig{}))
			}
			oks := make([]bool, racers)
			errs := make([]error, racers)
			var wg sync.WaitGroup
			for i, l := range limiters {
				now := c.at.Add(time.Duration(i%3) * time.Millisecond)
				wg.Go(func() { oks[i], _, errs[i] = l.Allow(testCtx(t), "race", 1, w, now) })
			}
			wg.Wait()
			allowed := 0
			for i, err := range errs {
				if err != nil {
					t.Fatalf("racer %d: %v", i, err)
				}
				if oks[i] {
					allowed++
				}
			}
			if allowed != 1 {
				t.Fatalf("%d of %d racing hits allowed, want exactly 1", allowed, racers)
			}
		})
	}
}

// TestRateLimiterDocuments: what is stored, and the index, created once however
// often it is ensured.
func TestRateLimiterDocuments(t *testing.T) {
	db := mongotest.NewDatabase(t)
	l := mongo.NewRateLimiter(db, mongo.RateLimitConfig{Collection: "limits"})
	const keep = 24 * time.Hour
	for range 2 {
		if err := l.EnsureIndexes(testCtx(t), keep); err != nil {
			t.Fatalf("EnsureIndexes: %v", err)
		}
	}
	if got, want := names(indexes(t, db.Collection("limits"))), []string{"_id_", "at_1", "key_1_at_-1", "tickets.allow.even_1", "tickets.allow.odd_1"}; !slices.Equal(got, want) {
		t.Errorf("indexes = %v, want %v", got, want)
	}
	for _, coll := range []string{"limits"} {
		for _, ix := range indexes(t, db.Collection(coll)) {
			if ix.Name != "at_1" {
				continue
			}
			switch ttl := ix.ExpireAfterSeconds; {
			case mongotest.FerretDB():
				if ttl != nil {
					t.Errorf("%s.at_1 has a TTL on FerretDB", coll)
				}
			case ttl == nil || time.Duration(*ttl)*time.Second != keep:
				t.Errorf("%s.at_1 TTL = %v, want %s", coll, ttl, keep)
			}
		}
	}
	if ok, _, err := l.Allow(testCtx(t), "ip:192.0.2.1", 3, time.Minute, t0); !ok || err != nil {
		t.Fatalf("Allow = %v, %v", ok, err)
	}
	var doc bson.M
	if err := db.Collection("limits").FindOne(testCtx(t), bson.D{}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if _, isOID := doc["_id"].(bson.ObjectID); !isOID || doc["key"] != "ip:192.0.2.1" ||
		doc["at"] != bson.NewDateTimeFromTime(t0) || doc["tickets"] == nil || len(doc) != 4 {
		t.Errorf("event stored as %v; want {_id: ObjectId, key, at: date, tickets}", doc)
	}
}
