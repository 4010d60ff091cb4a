package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/pwreset/pwreset/ports"
)

// feed hands the workers of one Dispatcher their messages. A worker that needs one
// takes it from the last batch claimed; when none is left, it claims a batch for
// every worker that is not sending, in one round trip (ports.Outbox.ClaimBatch),
// keeps one and wakes the others for the rest. A batch is thus never larger than
// the workers free to send it at once, and no claimed message waits in the
// process for a send to end while its lease runs.
type feed struct {
	mu      sync.Mutex
	claimed []ports.Envelope // claimed and not yet taken by a worker
	sending atomic.Int64     // workers holding a message
	pause   pause            // the provider's request to wait (pause.go)
}

// next returns the next message for a worker to deliver, claiming a batch when the
// last is used up; ErrNothingDue when none is due. During a pause the provider
// asked for it claims nothing until the pause ends (or ctx), but what was claimed
// before still goes out: held back, its lease would run out. The worker reports
// the end of its delivery with done.
func (d *Dispatcher) next(ctx context.Context) (ports.Envelope, error) {
	f := &d.feed
	if env, ok := f.take(); ok {
		return env, nil
	}
	if err := f.pause.wait(ctx, d.clock); err != nil {
		return ports.Envelope{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.claimed) == 0 {
		batch, err := d.claimBatch(ctx, d.cfg.Workers-int(f.sending.Load()))
		if err != nil {
			return ports.Envelope{}, err
		}
		if len(batch) == 0 {
			return ports.Envelope{}, ports.ErrNothingDue
		}
		f.claimed = batch
		for range len(batch) - 1 {
			d.Wake() // idle workers come for the rest
		}
	}
	return f.takeLocked(), nil
}

// take returns a message claimed before, if one is left.
func (f *feed) take() (ports.Envelope, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.claimed) == 0 {
		return ports.Envelope{}, false
	}
	return f.takeLocked(), true
}

// takeLocked hands out the first claimed message; f.mu is held.
func (f *feed) takeLocked() ports.Envelope {
	env := f.claimed[0]
	f.claimed[0] = ports.Envelope{} // the body holds a link: keep no copy
	f.claimed = f.claimed[1:]
	f.sending.Add(1)
	return env
}

// done ends a delivery that next began.
func (d *Dispatcher) done() { d.feed.sending.Add(-1) }

// claimBatch leases up to n due messages (at least one) under one owner name of
// its own, as claim does for one.
func (d *Dispatcher) claimBatch(ctx context.Context, n int) ([]ports.Envelope, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	owner := leaseOwner(d.owner, d.claims.Add(1))
	return d.box.ClaimBatch(ctx, owner, d.clock.Now(), d.cfg.Lease, max(n, 1))
}

// handBack returns the messages claimed and not yet taken when the workers stopped
// (a shutdown right after a batch was claimed), due at once: another process need
// not wait for their leases to expire.
func (d *Dispatcher) handBack(ctx context.Context) {
	f := &d.feed
	f.mu.Lock()
	left := f.claimed
	f.claimed = nil
	f.mu.Unlock()
	for _, env := range left {
		log := msgLog{d.log, &env, false}
		d.settle(ctx, log, slog.LevelInfo, "claimed mail handed back at shutdown", func(c context.Context) error {
			return d.box.Reschedule(c, env.ID, env.LeaseOwner, d.clock.Now(), env.LastError)
		})
	}
}
