package postgres_test

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestAddLimitedAllOrNothing (issue 17 findings 1 and 2): the limit events and the
// message are one write. A failure at the last step (the message's insert, made
// to fail by a trigger) leaves no event counted; a caller that hangs up while the
// statement waits for a key's lock leaves neither event nor message once the lock
// is free. (A reply lost after the commit leaves both: the statement's one
// transaction committed.) Nothing ever needs to be taken back.
func TestAddLimitedAllOrNothing(t *testing.T) {
	pool := migrated(t)
	box := postgres.NewOutbox(pool, 0)
	limits := []ports.Limit{{Key: "cool", Max: 1, Window: time.Hour, Reason: "cooldown"},
		{Key: "day", Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"}}
	m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", To: "a@example.com", Text: "link"}, Limits: limits}
	nothingStored := func(t *testing.T) {
		t.Helper()
		for _, l := range limits {
			if at, err := box.LatestEvent(testCtx(t), l.Key); err != nil || !at.IsZero() {
				t.Fatalf("LatestEvent(%s) = %v, %v; want no event counted", l.Key, at, err)
			}
		}
		var n int
		if err := pool.QueryRow(testCtx(t), "SELECT count(*) FROM pwreset_outbox").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d messages stored (%v); want none", n, err)
		}
	}

	t.Run("the message's insert fails", func(t *testing.T) {
		exec(t, pool, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'refused by the test'; END $$`)
		exec(t, pool, "CREATE TRIGGER refuse BEFORE INSERT ON pwreset_outbox FOR EACH ROW EXECUTE FUNCTION refuse()")
		_, _, err := box.AddLimited(testCtx(t), m, time.Now())
		exec(t, pool, "DROP TRIGGER refuse ON pwreset_outbox")
		if !errors.Is(err, ports.ErrWriteRefused) {
			t.Fatalf("AddLimited = %v; want ErrWriteRefused", err)
		}
		nothingStored(t)
	})
	t.Run("hang-up while waiting", func(t *testing.T) {
		tx, err := pool.Begin(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(context.Background()) }()
		if _, err := tx.Exec(testCtx(t), "SELECT pg_advisory_xact_lock(1886876275, hashtext('day'))"); err != nil {
			t.Fatal(err)
		}
		ctx, hangUp := context.WithCancel(testCtx(t))
		done := make(chan error, 1)
		go func() { _, _, err := box.AddLimited(ctx, m, time.Now()); done <- err }()
		waitForLockWaiters(t, pool, true)
		hangUp()
		if err := <-done; err == nil {
			t.Fatal("AddLimited returned no error after the hang-up")
		}
		// The call returns before the server has heard of the hang-up: the lock is
		// freed once its statement is cancelled, else it would go on and store both.
		waitForLockWaiters(t, pool, false)
		if err := tx.Rollback(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		nothingStored(t)
	})
}

// waitForLockWaiters returns once a session waits for an advisory lock, or once
// none does.
func waitForLockWaiters(t *testing.T, pool *pgxpool.Pool, some bool) {
	t.Helper()
	for {
		var waiting bool
		err := pool.QueryRow(testCtx(t), "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)").Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting == some {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHungUpRequests (the 60 hung-up requests, at the adapter): 60
// requests for one user with a cooldown of an hour, each hung up after a random
// moment (seeded; the seed is printed and -hangup.seed replays it), leave at most
// one pending message, and exactly as many events of each key as pending
// messages: nothing counted is lost, nothing uncounted goes out.
func TestHungUpRequests(t *testing.T) {
	seed := *hangUpSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -hangup.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	pool := migrated(t)
	box := postgres.NewOutbox(pool, 0)
	limits := []ports.Limit{{Key: "cool", Max: 1, Window: time.Hour, Reason: "cooldown"},
		{Key: "day", Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"}}
	at := time.Now()
	var wg sync.WaitGroup
	for range 60 {
		ctx, hangUp := context.WithCancel(testCtx(t))
		delay := time.Duration(rng.IntN(15000)) * time.Microsecond
		wg.Go(func() {
			defer hangUp()
			time.AfterFunc(delay, hangUp)
			m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", To: "a@example.com", Text: "link"}, Limits: limits}
			_, _, _ = box.AddLimited(ctx, m, at)
		})
	}
	wg.Wait()
	var pending, cool, day int
	err := pool.QueryRow(testCtx(t), `SELECT (SELECT count(*) FROM pwreset_outbox WHERE state = 'pending'),
		(SELECT count(*) FROM pwreset_rate_limits WHERE key = 'cool'), (SELECT count(*) FROM pwreset_rate_limits WHERE key = 'day')`).
		Scan(&pending, &cool, &day)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pending, events: %d of the cooldown, %d of the day", pending, cool, day)
	if pending > 1 || cool != pending || day != pending {
		t.Fatalf("60 hung-up requests left %d pending messages, %d cooldown and %d daily events; want at most 1, and as many events as messages",
			pending, cool, day)
	}
}

var hangUpSeed = flag.Uint64("hangup.seed", 0, "replay TestHungUpRequests with this seed (0: a new one)")
