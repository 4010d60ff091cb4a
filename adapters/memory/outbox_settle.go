package memory

import (
	"context"

	"github.com/pwreset/pwreset/ports"
)

// MarkSentBatch implements ports.Outbox: each delivery as MarkSent records it,
// under one hold of the lock.
func (o *Outbox) MarkSentBatch(_ context.Context, ds []ports.Delivery) []error {
	errs := make([]error, len(ds))
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, d := range ds {
		errs[i] = o.markSent(d.ID, d.Owner, d.ProviderID, d.At)
	}
	return errs
}
