package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// isolatedURL returns the URL of a migrated schema for a role of its own whose
// default isolation level is level (set on the role, as a team's DBA may set it
// on the role or the database). A plain pgx pool on it runs at that level.
func isolatedURL(t *testing.T, level string) string {
	t.Helper()
	url := pgtest.NewSchema(t)
	admin := pgtest.Pool(t, url)
	if _, err := postgres.Migrate(testCtx(t), admin); err != nil {
		t.Fatal(err)
	}
	schema := schemaOf(url)
	role := newRole(t, admin, "iso_")
	exec(t, admin, "ALTER ROLE "+role+" SET default_transaction_isolation = '"+level+"'")
	exec(t, admin, "GRANT ALL ON SCHEMA "+schema+" TO "+role)
	exec(t, admin, "GRANT ALL ON ALL TABLES IN SCHEMA "+schema+" TO "+role)
	url = pgtest.WithParam(url, "user", role)
	var got string
	if err := pgtest.Pool(t, url).QueryRow(testCtx(t), "SHOW transaction_isolation").Scan(&got); err != nil || got != level {
		t.Fatalf("the role's sessions run at %q (%v); want %q", got, err, level)
	}
	return url
}

// connectAt returns a pool opened by postgres.Connect, as pwreset opens it, on a
// schema whose role defaults to the isolation level (see isolatedURL).
func connectAt(t *testing.T, level string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(testCtx(t), isolatedURL(t, level), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// levels are the isolation levels a team may have made the default.
var levels = []string{"read committed", "repeatable read", "serializable"}

// TestLimitsExactAtEveryIsolationLevel (issue 17 finding 8, and the burst
// targets at the adapter): whatever default isolation level the role or database
// has, limits are exact: 12 racing requests on a cooldown pass 1; 64 concurrent
// Allow of one key with limit 10 pass 10; 40 concurrent AddLimited for one user
// with a daily cap of 3 and no cooldown store 3 pending messages and 37
// suppressed. Before the fix, at repeatable read 12 of 12 passed the cooldown, 12
// of 64 the limit of 10 and 7 of 40 the daily cap; at serializable the races
// failed with serialization errors.
func TestLimitsExactAtEveryIsolationLevel(t *testing.T) {
	for _, level := range levels {
		t.Run(strings.ReplaceAll(level, " ", "_"), func(t *testing.T) {
			pool := connectAt(t, level)
			limiter, box := postgres.NewRateLimiter(pool, 0), postgres.NewOutbox(pool, 0)
			at := time.Now()
			t.Run("cooldown", func(t *testing.T) {
				if got := raceAllow(t, limiter, 12, "cool", 1, at); got != 1 {
					t.Fatalf("%d of 12 racing requests passed a cooldown; want 1", got)
				}
			})
			t.Run("Allow", func(t *testing.T) {
				if got := raceAllow(t, limiter, 64, "ip", 10, at); got != 10 {
					t.Fatalf("%d of 64 concurrent Allow passed a limit of 10; want 10", got)
				}
			})
			t.Run("AddLimited", func(t *testing.T) {
				limits := []ports.Limit{{Key: "day:u", Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"},
					{Key: "all", Max: 1000, Window: time.Hour, Reason: "global_cap"}}
				states := raceAddLimited(t, box, 40, limits, at)
				if states[ports.StatePending] != 3 || states[ports.StateSuppressed] != 37 {
					t.Fatalf("40 concurrent AddLimited with a daily cap of 3 stored %v; want 3 pending, 37 suppressed", states)
				}
			})
		})
	}
}

// raceAllow has n callers hit key with limit at once and returns how many passed.
func raceAllow(t *testing.T, limiter *postgres.RateLimiter, n int, key string, limit int, at time.Time) int {
	t.Helper()
	oks, errs := make([]bool, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { oks[i], _, errs[i] = limiter.Allow(testCtx(t), key, limit, time.Minute, at) })
	}
	wg.Wait()
	passed := 0
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		if oks[i] {
			passed++
		}
	}
	return passed
}

// raceAddLimited has n callers store a message with limits at once and counts the
// stored messages by state.
func raceAddLimited(t *testing.T, box *postgres.Outbox, n int, limits []ports.Limit, at time.Time) map[string]int {
	t.Helper()
	ids, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := ports.Message{Kind: "reset_link", UserID: "u", To: "u@example.com", Subject: fmt.Sprint("link ", i), Text: "t", HTML: "h"}
			ids[i], _, errs[i] = box.AddLimited(testCtx(t), ports.LimitedMessage{Message: msg, Limits: limits}, at)
		})
	}
	wg.Wait()
	states := map[string]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		env, err := box.Get(testCtx(t), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		states[env.State]++
	}
	return states
}

// TestLimitsRefuseOtherIsolationLevels: on a connection that does not run at READ
// COMMITTED (one not opened by Connect, or through a pooler that dropped its
// setting), the limits' functions refuse to count, rather than count wrong: the
// call fails as a refused write, and nothing is recorded.
func TestLimitsRefuseOtherIsolationLevels(t *testing.T) {
	pool := pgtest.Pool(t, isolatedURL(t, "repeatable read"))
	limiter, box := postgres.NewRateLimiter(pool, 0), postgres.NewOutbox(pool, 0)
	if _, _, err := limiter.Allow(testCtx(t), "k", 1, time.Minute, time.Now()); !errors.Is(err, ports.ErrWriteRefused) {
		t.Fatalf("Allow at repeatable read = %v; want ErrWriteRefused", err)
	}
	limits := []ports.Limit{{Key: "k", Max: 1, Window: time.Minute}}
	if _, _, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Limits: limits}, time.Now()); !errors.Is(err, ports.ErrWriteRefused) {
		t.Fatalf("AddLimited at repeatable read = %v; want ErrWriteRefused", err)
	}
	if latest, err := box.LatestEvent(testCtx(t), "k"); err != nil || !latest.IsZero() {
		t.Fatalf("LatestEvent = %v, %v; want nothing recorded", latest, err)
	}
}
