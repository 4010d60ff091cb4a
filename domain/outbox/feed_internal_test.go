package outbox

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// Messages claimed in a batch that no worker took before shutdown are handed back
// due at once, not left leased until their leases expire.
func TestHandBackAtShutdown(t *testing.T) {
	ctx := context.Background()
	box := memory.NewOutbox()
	d := NewDispatcher(DefaultConfig(), box, nil, wallClock{}, slog.New(slog.DiscardHandler), nil)
	for _, to := range []string{"a@example.org", "b@example.org"} {
		if _, err := box.Add(ctx, ports.Message{Kind: "reset_link", To: to}, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := d.claimBatch(ctx, 2)
	if err != nil || len(batch) != 2 {
		t.Fatalf("claimBatch = %d messages, %v; want 2", len(batch), err)
	}
	d.feed.claimed = batch[1:] // the first went to a worker; the second was left
	d.handBack(ctx)
	left, err := box.Get(ctx, batch[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if left.State != ports.StatePending || left.LeaseOwner != "" || left.NextAttemptAt.After(time.Now().UTC()) {
		t.Fatalf("message left in the batch: %s, owner %q, due %v; want pending, no lease, due now", left.State, left.LeaseOwner, left.NextAttemptAt)
	}
	if taken, _ := box.Get(ctx, batch[0].ID); taken.State != ports.StateSending {
		t.Fatalf("the message a worker took is %s; want it left sending", taken.State)
	}
}
