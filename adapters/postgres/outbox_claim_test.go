package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestClaimSkipsLockedMessages: a message whose row another transaction holds
// locked (a worker mid-claim) is passed over, not waited for: Claim takes the
// next due one, or finds nothing due. The lock is held until every Claim has
// returned, so a Claim that waited on it would fail after the outbox's timeout
// instead of answering.
func TestClaimSkipsLockedMessages(t *testing.T) {
	pool := migrated(t)
	box := postgres.NewOutbox(pool, 30*time.Second)
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	first, err := box.Add(testCtx(t), ports.Message{Kind: "k", To: "first@example.com"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	second, err := box.Add(testCtx(t), ports.Message{Kind: "k", To: "second@example.com"}, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	lock := func(id string) pgx.Tx {
		tx, err := pool.Begin(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
		if _, err := tx.Exec(testCtx(t), "SELECT 1 FROM pwreset_outbox WHERE id = $1::bigint FOR UPDATE", id); err != nil {
			t.Fatal(err)
		}
		return tx
	}

	lock(first)
	got, err := box.Claim(testCtx(t), "worker", t0.Add(time.Minute), time.Minute)
	if err != nil || got.ID != second {
		t.Fatalf("Claim with the earliest message locked: %+v, %v; want message %s, the next due", got, err, second)
	}
	lock(second)
	if got, err := box.Claim(testCtx(t), "worker", t0.Add(time.Hour), time.Minute); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim with every due message locked: %+v, %v; want ErrNothingDue at once", got, err)
	}
}
