package memory_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestOutboxMaxFinished: beyond MaxFinished, the messages that finished first go,
// whatever their state; unfinished ones stay however many there are.
func TestOutboxMaxFinished(t *testing.T) {
	ctx := context.Background()
	box := memory.NewBoundedOutbox(memory.OutboxBounds{MaxFinished: 3})
	pending, _ := box.Add(ctx, ports.Message{To: "p@example.com"}, t0)
	var ids []string
	for i := range 5 {
		id, err := box.Discard(ctx, ports.Message{To: "d@example.com"}, "cooldown", t0.Add(time.Duration(i)*time.Second))
		must(t, err)
		ids = append(ids, id)
	}
	for i, id := range ids {
		_, err := box.Get(ctx, id)
		if kept := i >= 2; kept != (err == nil) {
			t.Errorf("message %d of 5: Get = %v; want kept %v", i, err, kept)
		}
	}
	if _, err := box.Get(ctx, pending); err != nil {
		t.Errorf("pending message: %v", err)
	}
	s, err := box.Stats(ctx)
	must(t, err)
	if s.Counts[ports.StateSuppressed] != 3 || s.Counts[ports.StatePending] != 1 {
		t.Errorf("Stats = %v; want 3 suppressed and 1 pending", s.Counts)
	}
}

// TestOutboxRetention: a message finished more than Retention before the latest is
// dropped without a Purge; a deleted message does not count against the bound.
func TestOutboxRetention(t *testing.T) {
	ctx := context.Background()
	box := memory.NewBoundedOutbox(memory.OutboxBounds{Retention: time.Hour, MaxFinished: 2})
	old, _ := box.Discard(ctx, ports.Message{}, "x", t0)
	gone, _ := box.Discard(ctx, ports.Message{}, "x", t0.Add(time.Minute))
	must(t, box.Delete(ctx, gone))
	recent, _ := box.Discard(ctx, ports.Message{}, "x", t0.Add(time.Hour)) // exactly Retention later: kept
	if _, err := box.Get(ctx, old); err != nil {
		t.Fatalf("message finished exactly Retention before: %v; want kept", err)
	}
	last, _ := box.Discard(ctx, ports.Message{}, "x", t0.Add(time.Hour+time.Second))
	if _, err := box.Get(ctx, old); !errors.Is(err, ports.ErrMessageNotFound) {
		t.Fatalf("message finished more than Retention before: %v; want ErrMessageNotFound", err)
	}
	for _, id := range []string{recent, last} {
		if _, err := box.Get(ctx, id); err != nil {
			t.Errorf("message %s: %v", id, err)
		}
	}
	s, err := box.Stats(ctx)
	must(t, err)
	if s.Counts[ports.StateSuppressed] != 2 {
		t.Errorf("Stats = %v; want 2 suppressed", s.Counts)
	}
}

// TestOutboxClaimOrder checks the heap against the rule it serves, on random work:
// every Claim takes the due message with the earliest NextAttemptAt (first stored
// on a tie), as a scan of every message would find it.
func TestOutboxClaimOrder(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	box := memory.NewOutbox()
	const lease = 10 * time.Second
	held := map[string]bool{}
	n := 0
	for step := range 3000 {
		now := t0.Add(time.Duration(step) * time.Second)
		switch rng.IntN(4) {
		case 0, 1:
			at := now.Add(time.Duration(rng.IntN(20)-10) * time.Second)
			_, err := box.Add(ctx, ports.Message{}, at)
			must(t, err)
			n++
		case 2:
			for id := range held {
				e, err := box.Get(ctx, id)
				must(t, err)
				if e.LeaseExpires.After(now) { // otherwise the lease is lost: leave it
					switch rng.IntN(3) {
					case 0:
						must(t, box.MarkSent(ctx, id, e.LeaseOwner, "p", now))
					case 1:
						must(t, box.Reschedule(ctx, id, e.LeaseOwner, now.Add(time.Duration(rng.IntN(30))*time.Second), "later"))
					case 2:
						must(t, box.MarkFailed(ctx, id, e.LeaseOwner, "no", now))
					}
				}
				delete(held, id)
				break
			}
		case 3:
			want := earliestDue(t, box, n, now)
			got, err := box.Claim(ctx, "w"+strconv.Itoa(step), now, lease)
			if want == "" {
				if !errors.Is(err, ports.ErrNothingDue) {
					t.Fatalf("step %d: Claim = %s, %v; want ErrNothingDue", step, got.ID, err)
				}
				continue
			}
			if err != nil || got.ID != want {
				t.Fatalf("step %d: Claim = %s, %v; want %s", step, got.ID, err, want)
			}
			held[got.ID] = true
		}
	}
}

// earliestDue scans every message the way the port defines Claim.
func earliestDue(t *testing.T, box *memory.Outbox, n int, now time.Time) string {
	t.Helper()
	var best ports.Envelope
	for i := 1; i <= n; i++ {
		e, err := box.Get(context.Background(), strconv.Itoa(i))
		must(t, err)
		due := (e.State == ports.StatePending && !e.NextAttemptAt.After(now)) ||
			(e.State == ports.StateSending && !e.LeaseExpires.After(now))
		if due && (best.ID == "" || e.NextAttemptAt.Before(best.NextAttemptAt)) {
			best = e
		}
	}
	return best.ID
}
