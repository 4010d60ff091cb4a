package sim

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// ClaimBatch implements ports.Outbox as a loop over Claim, each a simulated call
// with its faults. The simulation steps the dispatcher with DeliverDue, which
// claims one message at a time, so nothing here calls it yet.
func (b *box) ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	var out []ports.Envelope
	for len(out) < n {
		env, err := b.Claim(ctx, owner, now, lease)
		switch {
		case errors.Is(err, ports.ErrNothingDue):
			return out, nil
		case err != nil && len(out) == 0:
			return nil, err
		case err != nil:
			return out, nil // deliver what was claimed; the next claim meets the error again
		}
		out = append(out, env)
	}
	return out, nil
}

// MarkSentBatch implements ports.Outbox: one port call, which the store's
// MarkSentBatch answers, so that a fault strikes the batch as it strikes one
// MarkSent (not applied, applied with the reply lost, applied late, ...). Each
// delivery whose record applied is noted settled.
func (b *box) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	ds = slices.Clone(ds) // a write the store applies late must not see the caller reuse them
	sent := make([]*sendRec, len(ds))
	for i, d := range ds {
		sent[i] = b.sendOf(d.ID)
	}
	late := b.pastLease()
	var errs []error
	err := b.do(ctx, "outbox.MarkSentBatch", true, func(c context.Context) error {
		res := b.inner.MarkSentBatch(c, ds)
		for i, err := range res {
			switch {
			case err != nil:
				b.w.tracef("task %d: outbox.MarkSentBatch of %s: %v", b.t.id, ds[i].ID, err)
			case sent[i] != nil:
				sent[i].settled = true
			}
		}
		errs = res
		return nil
	})
	if err != nil { // the call's fault: no result reached the caller
		errs = make([]error, len(ds))
		for i := range errs {
			errs[i] = err
		}
	}
	for _, s := range sent {
		b.unsettled(s, late)
	}
	return errs
}
