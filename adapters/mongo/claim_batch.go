package mongo

import (
	"context"
	"errors"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// ClaimBatch implements ports.Outbox with one Claim per message: claims here are
// arbitrated message by message (see Claim), so a batch saves no round trip.
func (o *Outbox) ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	var out []ports.Envelope
	for len(out) < n {
		env, err := o.Claim(ctx, owner, now, lease)
		if errors.Is(err, ports.ErrNothingDue) {
			break
		}
		if err != nil && len(out) == 0 {
			return nil, err
		}
		if err != nil {
			break // deliver what was claimed; the next claim meets the error again
		}
		out = append(out, env)
	}
	return out, nil
}
