package outbox_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// TestDeliverDueSteps: a caller that drives time itself steps the dispatcher one
// message at a time, with no timer of its own: what is due goes out, a retry waits
// for the caller's clock, its wait set by the configured jitter.
func TestDeliverDueSteps(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	clock := portstest.NewClock(start)
	box := memory.NewStore(clock, memory.OutboxBounds{}).Outbox
	slow := &ports.SendError{Status: 503, Reason: "try later"}
	p := &provider{answer: results(slow, nil)}
	cfg := testConfig()
	cfg.RetryMin, cfg.RetryMax = time.Minute, time.Minute
	cfg.Jitter = func(n time.Duration) time.Duration { return n } // the longest wait: a minute
	d := outbox.NewDispatcher(cfg, box, p, clock, slog.New(slog.DiscardHandler), nil)
	deliver := func(want bool) {
		t.Helper()
		if got, err := d.DeliverDue(ctx); err != nil || got != want {
			t.Fatalf("DeliverDue = %v, %v; want %v", got, err, want)
		}
	}
	deliver(false)
	id, _, err := box.AddLimited(ctx, ports.LimitedMessage{Message: message(1)}, start)
	if err != nil {
		t.Fatal(err)
	}
	deliver(true) // 503: rescheduled a minute later
	env, _ := box.Get(ctx, id)
	if env.State != ports.StatePending || !env.NextAttemptAt.Equal(start.Add(time.Minute)) {
		t.Fatalf("after a 503: %+v; want pending, due a minute later", env)
	}
	clock.Add(time.Minute - time.Second)
	deliver(false)
	clock.Add(time.Second)
	deliver(true)
	if env, _ := box.Get(ctx, id); env.State != ports.StateSent || p.total() != 2 {
		t.Fatalf("after the retry: %+v, %d calls; want sent after 2", env, p.total())
	}
}

// TestDeliverDueNamesItsLeases: the lease of a claim made by DeliverDue carries the
// dispatcher's configured owner.
func TestDeliverDueNamesItsLeases(t *testing.T) {
	ctx := context.Background()
	clock := portstest.NewClock(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	box := memory.NewStore(clock, memory.OutboxBounds{}).Outbox
	var owner string
	p := &provider{}
	cfg := testConfig()
	cfg.Owner = "sim-7"
	d := outbox.NewDispatcher(cfg, watchClaims{Outbox: box, owner: &owner}, p, clock, slog.New(slog.DiscardHandler), nil)
	if _, _, err := box.AddLimited(ctx, ports.LimitedMessage{Message: message(1)}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.DeliverDue(ctx); !ok || err != nil {
		t.Fatalf("DeliverDue = %v, %v", ok, err)
	}
	if !strings.HasPrefix(owner, "sim-7/") {
		t.Fatalf("claimed as %q; want the owner sim-7 and a claim number", owner)
	}
}

// watchClaims notes the owner of the last claim.
type watchClaims struct {
	ports.Outbox
	owner *string
}

func (w watchClaims) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	*w.owner = owner
	return w.Outbox.Claim(ctx, owner, now, lease)
}
