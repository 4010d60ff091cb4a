package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// purgeCounter is a rate limiter that reports each Purge.
type purgeCounter struct {
	ports.RateLimiter
	purged chan struct{}
}

func (p purgeCounter) Purge(context.Context, time.Time) (int, error) {
	p.purged <- struct{}{}
	return 0, nil
}

// TestMaintainRunsAtStart: old bookkeeping is purged as soon as a process starts,
// not one interval later (issue 8, item 5: the first purge came ten minutes after
// start, so a fleet restarting more often never purged).
func TestMaintainRunsAtStart(t *testing.T) {
	limiter := purgeCounter{RateLimiter: memory.NewRateLimiter(), purged: make(chan struct{}, 1)}
	a := &App{log: slog.New(slog.NewTextHandler(io.Discard, nil)), users: memory.NewUserStore(nil), limiter: limiter}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.maintain(ctx)
	select {
	case <-limiter.purged:
	case <-time.After(maintenanceInterval / 2): // generous: the purge is the first thing it does
		t.Fatalf("no purge within %s of start", maintenanceInterval/2)
	}
}
