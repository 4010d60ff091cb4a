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
