package outbox_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// gated answers every send only once gate is closed, counting the calls begun.
func gated(gate <-chan struct{}, calls *atomic.Int64, first error) func(context.Context, int) (string, error) {
	return func(context.Context, int) (string, error) {
		if calls.Add(1) == 1 && first != nil {
			return "", first
		}
		<-gate
		return "provider-id", nil
	}
}

// addDue stores n messages due now without waking anyone.
func addDue(t *testing.T, h *harness, from, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id, err := h.box.Add(context.Background(), message(from+i), time.Now())
		if err != nil {
			t.Fatalf("Add: %v", err)
		}
		ids = append(ids, id)
	}
	return ids
}

// One round trip claims a message for every idle worker: eight workers asleep, eight
// messages due, one Wake; all eight sends start after a single claim of eight.
func TestOneClaimFeedsEveryIdleWorker(t *testing.T) {
	gate, calls := make(chan struct{}), &atomic.Int64{}
	h := newHarness(t, &provider{answer: gated(gate, calls, nil)})
	cfg := testConfig()
	cfg.Workers = 8
	h.start(t, cfg)
	release := sync.OnceFunc(func() { close(gate) })
	defer release() // before the dispatcher stops: a failed test leaves sends waiting
	waitFor(t, "workers idle", func() bool { return len(h.box.batchSizes()) >= cfg.Workers })
	claims := h.box.claims.Load()
	ids := addDue(t, h, 1, 8)
	h.first.Wake()
	waitFor(t, "eight sends at once", func() bool { return calls.Load() == 8 })
	if n := h.box.claims.Load() - claims; n != 1 {
		t.Fatalf("%d claims fed eight idle workers; want 1", n)
	}
	if sizes := h.box.batchSizes(); sizes[len(sizes)-1] != 8 {
		t.Fatalf("batch sizes %v; want the last to hold all eight messages", sizes)
	}
	release()
	for _, id := range ids {
		h.waitState(t, id, ports.StateSent)
	}
}

// A provider's request to wait stops every worker of the process, not only the one
// that was refused: with messages due and every worker woken, no worker claims or
// sends until the Retry-After has passed.
func TestRetryAfterPausesEveryWorker(t *testing.T) {
	gate, calls := make(chan struct{}), &atomic.Int64{}
	throttled := &ports.SendError{Status: 429, Reason: "too many requests", RetryAfter: time.Hour}
	h := newHarness(t, &provider{answer: gated(gate, calls, throttled)})
	cfg := testConfig()
	h.start(t, cfg)
	release := sync.OnceFunc(func() { close(gate) })
	defer release()
	waitFor(t, "workers idle", func() bool { return len(h.box.batchSizes()) >= cfg.Workers })
	addDue(t, h, 1, cfg.Workers)
	h.first.Wake()
	waitFor(t, "the refused worker pausing", func() bool { return h.first.PauseWaiters() == 1 })
	claims := h.box.claims.Load()
	later := addDue(t, h, 100, 4)
	for range cfg.Workers {
		h.first.Wake()
	}
	release() // the other workers finish their sends and come back for more
	waitFor(t, "every worker pausing", func() bool { return h.first.PauseWaiters() == cfg.Workers })
	if n := calls.Load(); n != int64(cfg.Workers) {
		t.Fatalf("%d sends; want only the %d begun before the refusal", n, cfg.Workers)
	}
	if n := h.box.claims.Load() - claims; n != 0 {
		t.Fatalf("%d claims during the pause; want none", n)
	}
	for _, id := range later {
		if env := h.get(t, id); env.State != ports.StatePending || env.Attempts != 0 {
			t.Fatalf("message %s during the pause: %s after %d attempts; want pending, untouched", id, env.State, env.Attempts)
		}
	}
}

// The pause ends: after a short Retry-After every message goes out, the refused
// one included, on its second attempt.
func TestPauseEnds(t *testing.T) {
	gate, calls := make(chan struct{}), &atomic.Int64{}
	close(gate)
	throttled := &ports.SendError{Status: 421, Reason: "try later", RetryAfter: 20 * time.Millisecond}
	h := newHarness(t, &provider{answer: gated(gate, calls, throttled)})
	h.start(t, testConfig())
	var ids []string
	for i := range 6 {
		ids = append(ids, h.send(t, i))
	}
	var attempts []int
	for _, id := range ids {
		attempts = append(attempts, h.waitState(t, id, ports.StateSent).Attempts)
	}
	slices.Sort(attempts)
	if !slices.Equal(attempts, []int{1, 1, 1, 1, 1, 2}) {
		t.Fatalf("attempts %v; want one message sent on its second attempt, the others on their first", attempts)
	}
}

// An events endpoint's request to wait holds back that event only: e-mail still
// goes out at once.
func TestEventRetryAfterPausesNoMail(t *testing.T) {
	throttled := &ports.SendError{Status: 429, Reason: "slow down", RetryAfter: 10 * time.Minute}
	p := &provider{answer: func(_ context.Context, n int) (string, error) {
		if n == 0 {
			return "", throttled
		}
		return "provider-id", nil
	}}
	h := newHarness(t, p)
	h.start(t, testConfig())
	msg := message(1)
	// The provider answers by calls per recipient: the event's first is refused,
	// the e-mail after it to the same address accepted.
	msg.Kind, msg.To = event.Kind("password.changed"), message(2).To
	id, err := h.box.Add(context.Background(), msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.first.Wake()
	waitFor(t, "the event rescheduled", func() bool { env := h.get(t, id); return env.State == ports.StatePending && env.Attempts == 1 })
	sent := h.waitState(t, h.send(t, 2), ports.StateSent)
	if sent.Attempts != 1 || h.first.PauseWaiters() != 0 {
		t.Fatalf("e-mail sent after %d attempts with %d workers paused; want 1 and none", sent.Attempts, h.first.PauseWaiters())
	}
}
