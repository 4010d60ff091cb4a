package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// TestExpiredWorkerCannotUndoSibling: a worker's send outlives its lease (a
// provider that ignores the deadline); a sibling worker of the same dispatcher
// claims the message and starts sending it. When the first worker's send then
// fails, its Reschedule must not take the message from the sibling and put it
// back: it would be sent twice. Issue 8, item 3: with one owner name per
// process, it did.
func TestExpiredWorkerCannotUndoSibling(t *testing.T) {
	started := []chan struct{}{make(chan struct{}), make(chan struct{})}
	release := []chan struct{}{make(chan struct{}), make(chan struct{})}
	h := newHarness(t, &provider{answer: func(_ context.Context, n int) (string, error) {
		if n > 1 {
			return "provider-third", nil
		}
		close(started[n])
		<-release[n] // past the lease, whatever the context says
		if n == 0 {
			return "", errors.New("connection reset by peer")
		}
		return "provider-sibling", nil
	}})
	// Registered after the harness's, so run before it: its shutdown waits for both sends.
	t.Cleanup(func() {
		for _, r := range release {
			select {
			case <-r:
			default:
				close(r)
			}
		}
	})
	cfg := testConfig()
	cfg.Workers, cfg.Lease, cfg.PollInterval = 2, 200*time.Millisecond, 10*time.Millisecond
	h.start(t, cfg)
	id := h.send(t, 1)
	<-started[0]
	<-started[1] // the sibling claimed it once the lease expired
	held := h.get(t, id)
	close(release[0])
	waitFor(t, "the first worker's outcome logged", func() bool {
		return strings.Contains(h.logs.String(), "mail not sent; will retry")
	})
	if env := h.get(t, id); env.State != ports.StateSending || env.LeaseOwner != held.LeaseOwner || env.Attempts != 2 {
		t.Fatalf("message = %+v; want it left to the sibling's lease %+v", env, held)
	}
	close(release[1])
	env := h.waitState(t, id, ports.StateSent)
	if env.ProviderID != "provider-sibling" {
		t.Fatalf("message = %+v; want it sent by the sibling", env)
	}
	if n := len(h.provider.callsTo(message(1).To)); n != 2 {
		t.Fatalf("provider called %d times, want 2 (the hung send and the sibling's)", n)
	}
}
