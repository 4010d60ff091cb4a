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
	cfg.Workers, cfg.Lease, cfg.PollInterval = 2, time.Second, 10*time.Millisecond
	h.start(t, cfg)
	id := h.send(t, 1)
	<-started[0]
	<-started[1] // the sibling claimed it once the first lease expired
	close(release[0])
	const lost = `msg="mail not sent; will retry, but another worker has taken the message over`
	const stored = `msg="mail not sent; will retry"`
	waitFor(t, "the first worker's outcome logged", func() bool {
		logs := h.logs.String()
		return strings.Contains(logs, lost) || strings.Contains(logs, stored)
	})
	if strings.Contains(h.logs.String(), stored) {
		t.Fatal("the worker whose lease expired rescheduled the message its sibling holds")
	}
	close(release[1])
	h.waitState(t, id, ports.StateSent)
}
