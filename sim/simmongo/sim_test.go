package simmongo_test

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/sim"
)

var (
	seedFlag  = flag.Uint64("sim.seed", 0, "replay this one seed (0: run -sim.seeds seeds)")
	seedsFlag = flag.Int("sim.seeds", 100, "how many seeds TestSimMongo runs")
)

// storeTimeout bounds each store call far above what a busy machine takes: a
// call the store cut off would be a fault the schedule did not choose, whose
// effect the history could not know.
const storeTimeout = time.Minute

// TestMain stops the shared FerretDB once the tests are done.
func TestMain(m *testing.M) { mongotest.Main(m) }

// TestSimMongo runs the simulator's schedules on the MongoDB stores, a fresh
// database each, faults injected by wrapping the stores. One run at a time:
// FerretDB is slow under concurrent writes, and the scheduler sends one call at
// a time anyway.
func TestSimMongo(t *testing.T) {
	sim.RunSeeds(t, sim.Seeds(*seedFlag, *seedsFlag), backend(t), 1, sim.Pending)
}

// TestSimMongoFindings replays the schedule of each finding of issue 17.
func TestSimMongoFindings(t *testing.T) {
	sim.CheckFindings(t, backend(t), sim.PendingFindings)
}

// backend makes a fresh database for each run, holding the run's users.
func backend(t *testing.T) sim.Backend {
	client := mongotest.Connect(t, mongotest.URI(t))
	var n atomic.Int64
	return func(_ ports.Clock, users []ports.User) (sim.Stores, []ports.User, func(), error) {
		db := client.Database(fmt.Sprintf("sim_%d_%d", time.Now().UnixNano(), n.Add(1)))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		docs := make([]any, len(users))
		for i, u := range users {
			docs[i] = bson.D{{Key: "_id", Value: u.ID}, {Key: "username", Value: u.Logins[0].Value},
				{Key: "email", Value: u.Email}, {Key: "password", Value: u.PasswordHash}}
		}
		if _, err := db.Collection("users").InsertMany(ctx, docs); err != nil {
			return sim.Stores{}, nil, nil, fmt.Errorf("insert the users: %w", err)
		}
		// The outbox takes its callers' time for its server's, and the simulator
		// passes it true time: the server's clock is not the simulator's to move.
		box := mongo.NewOutbox(db, mongo.OutboxConfig{CallersClock: true, Timeout: storeTimeout})
		limiter := mongo.NewRateLimiter(db, mongo.RateLimitConfig{Timeout: storeTimeout})
		if err := box.EnsureIndexes(ctx, 0, reset.ReasonCooldown, reset.ReasonDailyCap, reset.ReasonGlobalCap); err != nil {
			return sim.Stores{}, nil, nil, err
		}
		if err := limiter.EnsureIndexes(ctx, 24*time.Hour); err != nil {
			return sim.Stores{}, nil, nil, err
		}
		return sim.Stores{Users: mongo.NewUserStore(db, mongo.UserMapping{Timeout: storeTimeout}), Outbox: box, Limiter: limiter, TrueTime: true},
			users, nil, nil
	}
}
