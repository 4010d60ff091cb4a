package simpg_test

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/sim"
)

var (
	seedFlag  = flag.Uint64("sim.seed", 0, "replay this one seed (0: run -sim.seeds seeds)")
	seedsFlag = flag.Int("sim.seeds", 100, "how many seeds TestSimPostgres runs")
)

// storeTimeout bounds each store call far above what a busy machine takes: a
// call the store cut off would be a fault the schedule did not choose, whose
// effect the history could not know.
const storeTimeout = time.Minute

// TestMain stops the shared PostgreSQL once the tests are done.
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSimPostgres runs the simulator's schedules on the PostgreSQL stores, a
// fresh schema each, faults injected by wrapping the stores.
func TestSimPostgres(t *testing.T) {
	sim.RunSeeds(t, sim.Seeds(*seedFlag, *seedsFlag), backend(t), 2, sim.Pending)
}

// TestSimPostgresFindings replays the schedule of each finding of issue 17.
func TestSimPostgresFindings(t *testing.T) {
	sim.CheckFindings(t, backend(t), sim.PendingFindings)
}

// backend makes a fresh schema for each run, holding the run's users.
func backend(t *testing.T) sim.Backend {
	return func(clock ports.Clock, users []ports.User) (sim.Stores, []ports.User, func(), error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pool, err := pgxpool.New(ctx, pgtest.NewSchema(t))
		if err != nil {
			return sim.Stores{}, nil, nil, err
		}
		stores, err := seed(ctx, pool, clock, users)
		if err != nil {
			pool.Close()
			return sim.Stores{}, nil, nil, err
		}
		return stores, users, pool.Close, nil
	}
}

// seed creates pwreset's tables and a users table holding users. The outbox
// judges leases and due times by clock, the simulation's true time, in place of
// the database's own, which the simulation cannot move.
func seed(ctx context.Context, pool *pgxpool.Pool, clock ports.Clock, users []ports.User) (sim.Stores, error) {
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		return sim.Stores{}, fmt.Errorf("migrate: %w", err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE users (id text PRIMARY KEY, username text UNIQUE, email text, password text)`); err != nil {
		return sim.Stores{}, err
	}
	for _, u := range users {
		if _, err := pool.Exec(ctx, `INSERT INTO users VALUES ($1, $2, $3, $4)`,
			u.ID, u.Logins[0].Value, u.Email, u.PasswordHash); err != nil {
			return sim.Stores{}, err
		}
	}
	us, err := postgres.NewUserStore(ctx, pool, postgres.UserMapping{Timeout: storeTimeout})
	if err != nil {
		return sim.Stores{}, err
	}
	return sim.Stores{Users: us, Outbox: postgres.NewOutboxOnClock(pool, storeTimeout, clock),
		Limiter: postgres.NewRateLimiter(pool, storeTimeout)}, nil
}
