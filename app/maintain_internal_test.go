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

// purgeCounter is a user store that reports each PurgeGuards.
type purgeCounter struct {
	ports.UserStore
	purged chan struct{}
}

func (p purgeCounter) PurgeGuards(context.Context) (int, error) {
	p.purged <- struct{}{}
	return 0, nil
}

// TestMaintainRunsAtStart: the guards a crash left are purged as soon as a process
// starts, not one interval later (issue 8, item 5: the first purge came ten
// minutes after start, so a fleet restarting more often never purged).
func TestMaintainRunsAtStart(t *testing.T) {
	users := purgeCounter{UserStore: memory.NewUserStore(nil), purged: make(chan struct{}, 1)}
	a := &App{log: slog.New(slog.NewTextHandler(io.Discard, nil)), users: users, limiter: memory.NewRateLimiter()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.maintain(ctx)
	select {
	case <-users.purged:
	case <-time.After(maintenanceInterval / 2): // generous: the purge is the first thing it does
		t.Fatalf("no purge within %s of start", maintenanceInterval/2)
	}
}
