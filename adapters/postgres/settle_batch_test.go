package postgres_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestMarkSentBatchRoundTrip: MarkSentBatch records a batch of deliveries in one
// statement, where one MarkSent per delivery takes as many; a batch of which some
// do not apply takes one more, to tell a lost lease from a message not there.
func TestMarkSentBatchRoundTrip(t *testing.T) {
	log := &statementLog{}
	pool := tracedPool(t, log, 0)
	box := postgres.NewOutbox(pool, 0)
	claimed := func(n int) []ports.Delivery {
		t.Helper()
		owner := fmt.Sprint("batch-", time.Now().UnixNano())
		for i := range n {
			msg := ports.Message{Kind: "reset_link", UserID: fmt.Sprint(i), To: fmt.Sprintf("u%d@example.com", i), Subject: "s"}
			if i == 0 {
				msg.ID = "chosen_" + owner // one by the id its caller chose
			}
			if _, err := box.Add(testCtx(t), msg, time.Now().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		envs, err := box.ClaimBatch(testCtx(t), owner, time.Now(), time.Minute, n)
		if err != nil || len(envs) != n {
			t.Fatalf("ClaimBatch = %d messages, %v; want %d", len(envs), err, n)
		}
		ds := make([]ports.Delivery, n)
		for i, env := range envs {
			ds[i] = ports.Delivery{ID: env.ID, Owner: owner, ProviderID: "p-" + env.ID, At: time.Now()}
		}
		return ds
	}
	cases := []struct {
		name  string
		ds    func() []ports.Delivery
		want  []error
		stmts int
	}{
		{"all apply", func() []ports.Delivery { return claimed(50) }, make([]error, 50), 1},
		{"some do not", func() []ports.Delivery {
			ds := claimed(3)
			ds[1].Owner = "another"
			return append(ds, ports.Delivery{ID: "404", Owner: ds[0].Owner})
		}, []error{nil, ports.ErrLeaseLost, nil, ports.ErrMessageNotFound}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := c.ds()
			log.drain()
			errs := box.MarkSentBatch(testCtx(t), ds)
			stmts := log.drain()
			for i, err := range errs {
				if !errors.Is(err, c.want[i]) || (err == nil) != (c.want[i] == nil) {
					t.Errorf("delivery %d: %v, want %v", i, err, c.want[i])
				}
			}
			if len(errs) != len(ds) || len(stmts) != c.stmts {
				t.Fatalf("%d deliveries: %d results with %d statements (%q); want %d with %d",
					len(ds), len(errs), len(stmts), stmts, len(ds), c.stmts)
			}
		})
	}
}
