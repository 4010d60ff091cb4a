package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestClaimBatchRoundTrip: ClaimBatch claims many due messages in one statement,
// where one Claim per message would take as many.
func TestClaimBatchRoundTrip(t *testing.T) {
	log := &statementLog{}
	pool := tracedPool(t, log, 0)
	box := postgres.NewOutbox(pool, 0)
	for i := range 6 {
		msg := ports.Message{Kind: "reset_link", UserID: fmt.Sprint(i), To: fmt.Sprintf("u%d@example.com", i), Subject: "s"}
		if _, err := box.Add(testCtx(t), msg, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	log.drain()
	got, err := box.ClaimBatch(testCtx(t), "batch-1", time.Now(), time.Minute, 5)
	if err != nil {
		t.Fatal(err)
	}
	if stmts := log.drain(); len(got) != 5 || len(stmts) != 1 {
		t.Fatalf("claimed %d messages with %d statements (%q); want 5 with 1", len(got), len(stmts), stmts)
	}
}
