package mongo_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// countingProvider accepts every message and counts the sends per recipient.
type countingProvider struct {
	mu    sync.Mutex
	sends map[string]int
}

func (p *countingProvider) Send(_ context.Context, msg ports.Message) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sends[msg.To]++
	return "p-" + msg.To, nil
}

// TestDispatcherAfterDeadWorkers: issue 8, item 1, end to end on the MongoDB
// outbox. Eight messages were claimed by a worker that died, and one of them is
// older than MAIL_MAX_AGE; a ninth is fresh. A dispatcher delivers every message
// once, and fails the old one with its reason, as soon as the dead worker's
// leases have expired: nothing stalls.
func TestDispatcherAfterDeadWorkers(t *testing.T) {
	const stuck = 8
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	cfg := outbox.DefaultConfig()
	// A lease far longer than a send, so that no send outlives it however busy the
	// machine (a message would then be sent again); the orphans expired already.
	cfg.Workers, cfg.Lease, cfg.PollInterval = 2, time.Minute, 50*time.Millisecond
	now := time.Now()
	ids := make([]string, 0, stuck+1)
	for i := range stuck {
		created := now
		if i == 0 {
			created = now.Add(-2 * cfg.MaxAge)
		}
		id := mustAdd(t, box, i, created)
		leaseToDead(t, db, id, now.Add(-time.Second)) // expired as the dispatcher starts
		ids = append(ids, id)
	}
	ids = append(ids, mustAdd(t, box, stuck, now))

	p := &countingProvider{sends: map[string]int{}}
	d := outbox.NewDispatcher(cfg, box, p, tripClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	// Generous: the work is a few round trips per message; the bound only stops a
	// stalled outbox from hanging the test.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		s, err := box.Stats(testCtx(t))
		if err == nil && s.Counts[ports.StateSent] == stuck && s.Counts[ports.StateFailed] == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox stalled: %+v, %v", s, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	old, err := box.Get(testCtx(t), ids[0])
	if err != nil || old.State != ports.StateFailed || !strings.HasPrefix(old.LastError, "not sent within MAIL_MAX_AGE") {
		t.Fatalf("the message older than MAIL_MAX_AGE: %+v, %v; want failed with the reason", old, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 1; i <= stuck; i++ {
		if n := p.sends[sample(i).To]; n != 1 {
			t.Errorf("message %d sent %d times, want once", i, n)
		}
	}
}
