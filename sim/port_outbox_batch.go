package sim

import (
	"context"
	"errors"
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

// MarkSentBatch implements ports.Outbox: each delivery as MarkSent records it, a
// port call each, so that a fault can strike any one of them.
func (b *box) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	errs := make([]error, len(ds))
	for i, d := range ds {
		errs[i] = b.MarkSent(ctx, d.ID, d.Owner, d.ProviderID, d.At)
	}
	return errs
}
