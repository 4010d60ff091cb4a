package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// A process may store mail and leave the sending to others: its queue has no
// dispatcher. What it stores is counted against the limits given.
func TestQueueWithoutDispatcherStores(t *testing.T) {
	box := memory.NewOutbox()
	q := outbox.NewQueue(box, nil)
	ctx := context.Background()
	cool := []ports.Limit{{Key: "cool", Max: 1, Window: time.Hour, Reason: "cooldown"}}
	for i, want := range []string{ports.StatePending, ports.StateSuppressed} {
		id, _, err := q.AddLimited(ctx, ports.LimitedMessage{Message: message(1), Limits: cool}, time.Now())
		if err != nil {
			t.Fatalf("AddLimited #%d: %v", i, err)
		}
		if env, err := box.Get(ctx, id); err != nil || env.State != want {
			t.Fatalf("stored #%d as %+v, %v; want %s", i, env, err, want)
		}
	}
}

// TestQueueReleaseSendsAtOnce: a message held back for an hour goes out as soon as it
// is released, without waiting for the hour's poll: the release wakes the dispatcher.
func TestQueueReleaseSendsAtOnce(t *testing.T) {
	h := newHarness(t, &provider{})
	cfg := testConfig()
	h.start(t, cfg)
	waitFor(t, "workers idle", func() bool { return h.box.claims.Load() >= int64(cfg.Workers) })
	id, err := h.box.Add(context.Background(), message(1), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.queue.Release(context.Background(), id, clock{}.Now()); err != nil {
		t.Fatalf("Release: %v", err)
	}
	h.waitState(t, id, ports.StateSent)
	if n := len(h.provider.callsTo(message(1).To)); n != 1 {
		t.Fatalf("the released message was sent %d times, want once", n)
	}
}

// TestQueueReleaseOfAMessageNotPending: a message that is not pending any more
// (sent, or gone) is not released, and the caller can tell why.
func TestQueueReleaseOfAMessageNotPending(t *testing.T) {
	box := memory.NewOutbox()
	q := outbox.NewQueue(box, nil)
	ctx := context.Background()
	sent, _ := box.Add(ctx, message(1), time.Now())
	if _, err := box.Claim(ctx, "worker", time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := box.MarkSent(ctx, sent, "worker", "provider-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{sent, "no-such-id"} {
		if err := q.Release(ctx, id, clock{}.Now()); !errors.Is(err, ports.ErrMessageNotFound) {
			t.Errorf("Release(%s) = %v, want ErrMessageNotFound", id, err)
		}
	}
	if env, _ := box.Get(ctx, sent); env.State != ports.StateSent {
		t.Fatalf("the sent message became %s", env.State)
	}
}

// TestQueueWakesForEveryStoredMessage (issue 18 item 8): a link that goes out woke
// the dispatcher and a suppressed one (an unknown login's) did not, so the two
// requests did different work. Every message stored wakes it now: a suppressed
// one, and one a limit refused, each make an idle worker look once.
func TestQueueWakesForEveryStoredMessage(t *testing.T) {
	h := newHarness(t, &provider{})
	cfg := testConfig()
	h.start(t, cfg)
	idle := int64(cfg.Workers)
	waitFor(t, "workers idle", func() bool { return h.box.claims.Load() >= idle })
	cool := []ports.Limit{{Key: "cool", Max: 1, Window: time.Hour, Reason: "cooldown"}}
	for i := range 2 { // counted, then refused by the cooldown
		m := ports.LimitedMessage{Message: message(1), Limits: cool, Suppress: "unknown_user", KeepBody: true}
		if _, refused, err := h.queue.AddLimited(context.Background(), m, time.Now()); err != nil || refused != i-1 {
			t.Fatalf("AddLimited #%d: refused by %d, %v; want %d", i, refused, err, i-1)
		}
		waitFor(t, fmt.Sprintf("a worker woken by suppressed message #%d", i), func() bool { return h.box.claims.Load() >= idle+int64(i)+1 })
	}
	if n := len(h.provider.callsTo(message(1).To)); n != 0 {
		t.Fatalf("a suppressed message was sent %d times", n)
	}
}
