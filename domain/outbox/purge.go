package outbox

import (
	"context"
	"time"
)

// purgeEvery deletes the messages finished more than Retention ago, once at start and
// then every tenth of Retention (at most every ten minutes), until ctx is done. Every
// process does it; purging twice deletes nothing twice.
func (d *Dispatcher) purgeEvery(ctx context.Context) {
	if d.cfg.Retention <= 0 {
		return
	}
	every := max(min(d.cfg.Retention/10, 10*time.Minute), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		d.purge(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *Dispatcher) purge(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	cutoff := d.clock.Now().Add(-d.cfg.Retention)
	n, err := d.box.Purge(ctx, cutoff)
	switch {
	case err != nil && ctx.Err() == nil:
		d.log.Error("purge the outbox", "error", err)
	case err == nil && n > 0:
		d.log.Info("purged the outbox", "deleted", n, "finished_before", cutoff)
	case err == nil:
		d.log.Debug("purged the outbox", "deleted", 0, "finished_before", cutoff)
	}
}
