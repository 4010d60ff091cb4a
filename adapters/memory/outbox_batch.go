package memory

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// ClaimBatch implements ports.Outbox: up to n claims from the due heap under one lock.
func (o *Outbox) ClaimBatch(_ context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now = o.now(now)
	var out []ports.Envelope
	for len(out) < n {
		env, ok := o.claimLocked(owner, now, lease)
		if !ok {
			break
		}
		out = append(out, env)
	}
	return out, nil
}
