package postgres_test

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestUserStoreContract runs the shared UserStore suite on a table whose ids, of
// all three forms, sit in a text column; each store in a schema of its own.
func TestUserStoreContract(t *testing.T) {
	contract.TestUserStore(t, func(t *testing.T, users []ports.User) ports.UserStore {
		pool := pgtest.Pool(t, pgtest.NewSchema(t))
		contractTable(t, pool, users)
		return newUserStore(t, pool, contractMapping())
	})
}

// TestOutboxContract runs the shared Outbox suite, each outbox in a migrated
// schema of its own.
func TestOutboxContract(t *testing.T) {
	newOutbox := func(t *testing.T) ports.Outbox { return postgres.NewOutboxOnClock(migrated(t), 0, nil) }
	contract.TestOutbox(t, newOutbox)
	contract.TestAddLimitedCapRace(t, newOutbox)
	contract.TestOutboxTraceParent(t, newOutbox)
}

// TestRateLimiterContract runs the shared RateLimiter suite; the instances of one
// store are limiters on pools of their own, on one schema.
func TestRateLimiterContract(t *testing.T) {
	contract.TestRateLimiter(t, func(t *testing.T) func() ports.RateLimiter {
		url := pgtest.NewSchema(t)
		if _, err := postgres.Migrate(testCtx(t), pgtest.Pool(t, url)); err != nil {
			t.Fatal(err)
		}
		return func() ports.RateLimiter { return postgres.NewRateLimiter(pgtest.Pool(t, url), 0) }
	})
}
