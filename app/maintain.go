package app

import (
	"context"
	"time"
)

// maintenanceInterval is how often old bookkeeping is deleted. Nothing waits for
// it to be correct (an expired event no longer counts), but a fleet that restarts
// often must still get to it: so it runs at start, and then every minute.
const maintenanceInterval = time.Minute

// maintain deletes, at start and then every maintenanceInterval, the bookkeeping
// no limit or link needs any more.
func (a *App) maintain(ctx context.Context) {
	t := time.NewTicker(maintenanceInterval)
	defer t.Stop()
	for {
		a.purgeBookkeeping(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeBookkeeping deletes rate-limit events older than the longest window; a
// failure is logged, and tried again next time.
func (a *App) purgeBookkeeping(ctx context.Context) {
	keep := a.cfg.longestWindow()
	if n, err := a.limiter.Purge(ctx, time.Now().Add(-keep)); err != nil {
		a.log.Warn("delete old rate-limit events", "error", err)
	} else if n > 0 {
		a.log.Debug("deleted old rate-limit events", "count", n)
	}
}
