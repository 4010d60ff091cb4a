package contract

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testClaimBatch: ClaimBatch takes up to n due messages, the earliest due first,
// leases each as Claim does, leaves those not due, and racing batches never share
// a message.
func testClaimBatch(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("batches", func(t *testing.T) {
		box := newOutbox(t)
		s := time.Second
		due := []time.Duration{4 * s, 0, 3 * s, s, time.Hour}
		var ids []string
		for i, d := range due {
			ids = append(ids, add(t, box, i, t0.Add(d)))
		}
		at := t0.Add(time.Minute)
		for round, want := range [][]int{{1, 3, 2}, {0}, {}} {
			got, err := box.ClaimBatch(ctx(t), "batch-a", at, lease, 3)
			must(t, err)
			if len(got) != len(want) {
				t.Fatalf("round %d: claimed %d messages, want %d", round, len(got), len(want))
			}
			for i, w := range want {
				checkEnvelope(t, got[i], ports.Envelope{ID: ids[w], Message: message(w), State: ports.StateSending,
					Attempts: 1, CreatedAt: t0.Add(due[w]), NextAttemptAt: got[i].NextAttemptAt, LeaseOwner: "batch-a",
					LeaseExpires: at.Add(lease)})
				must(t, box.MarkSent(ctx(t), got[i].ID, "batch-a", "provider-x", at))
			}
		}
	})
	t.Run("race", func(t *testing.T) {
		const workers, messages = 8, 5
		box := newOutbox(t)
		for i := range messages {
			add(t, box, i, t0)
		}
		var wg sync.WaitGroup
		got := make([][]ports.Envelope, workers)
		errs := make([]error, workers)
		for i := range workers {
			wg.Go(func() {
				got[i], errs[i] = box.ClaimBatch(ctx(t), fmt.Sprint("batch-", i), t0.Add(time.Second), lease, 2)
			})
		}
		wg.Wait()
		claimed := map[string]bool{}
		for i, err := range errs {
			must(t, err)
			for _, env := range got[i] {
				if claimed[env.ID] {
					t.Errorf("message %s claimed twice", env.ID)
				}
				claimed[env.ID] = true
			}
		}
		if len(claimed) != messages {
			t.Fatalf("%d messages claimed, want %d", len(claimed), messages)
		}
	})
}
