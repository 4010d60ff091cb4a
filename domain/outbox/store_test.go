package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

func TestStoreOutageDoesNotSpin(t *testing.T) {
	h := newHarness(t, &provider{})
	cfg := testConfig()
	cfg.PollInterval = 50 * time.Millisecond
	h.box.down.Store(true)
	h.start(t, cfg)
	// Messages keep arriving and waking the workers while the store fails them.
	var id string
	start := time.Now()
	for deadline := start.Add(250 * time.Millisecond); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		id = h.send(t, 1)
	}
	// The bound follows the time that really passed: a busy machine may stretch it.
	n, elapsed := h.box.claims.Load(), time.Since(start)
	if limit := int64(cfg.Workers) * (int64(elapsed/cfg.PollInterval) + 2); n > limit {
		t.Fatalf("%d claims in %s with %d workers polling every %s; want at most %d", n, elapsed, cfg.Workers, cfg.PollInterval, limit)
	}
	h.box.down.Store(false)
	h.waitState(t, id, ports.StateSent) // at the next poll
}

func TestLostLeaseIsLoggedAndLeftAlone(t *testing.T) {
	h := newHarness(t, &provider{})
	h.box.leasesLost.Store(true)
	h.start(t, testConfig())
	id := h.send(t, 1)
	waitFor(t, "lost lease logged", func() bool {
		return strings.Contains(h.logs.String(), "level=WARN msg=\"mail sent, but another worker has taken the message over")
	})
	if env := h.get(t, id); env.State != ports.StateSending {
		t.Fatalf("message = %+v; want it left to the worker that holds it", env)
	}
}

func TestPurgesOldFinishedMessages(t *testing.T) {
	h := newHarness(t, &provider{})
	now := time.Now()
	week := 7 * 24 * time.Hour
	old := finished(t, h, 1, now.Add(-week-time.Hour), ports.StateSent)
	oldFailed := finished(t, h, 2, now.Add(-week-time.Minute), ports.StateFailed)
	recent := finished(t, h, 3, now.Add(-week+time.Hour), ports.StateSent)
	h.start(t, testConfig())
	for _, id := range []string{old, oldFailed} {
		waitFor(t, "purged "+id, func() bool {
			_, err := h.box.Get(context.Background(), id)
			return errors.Is(err, ports.ErrMessageNotFound)
		})
	}
	h.get(t, recent)
	if logs := h.logs.String(); !strings.Contains(logs, `msg="purged the outbox"`) || !strings.Contains(logs, "deleted=2") {
		t.Fatalf("purge not logged with its count:\n%s", h.logs)
	}
}

// finished stores message n as it would be after a send that finished at, in state.
func finished(t *testing.T, h *harness, n int, at time.Time, state string) string {
	t.Helper()
	ctx := context.Background()
	id, err := h.box.Add(ctx, message(n), at)
	if err == nil {
		_, err = h.box.Claim(ctx, "old-process", at, time.Minute)
	}
	if err == nil && state == ports.StateSent {
		err = h.box.MarkSent(ctx, id, "old-process", "provider-old", at)
	} else if err == nil {
		err = h.box.MarkFailed(ctx, id, "old-process", "refused", at)
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}
