package mongo

import (
	"context"

	"github.com/pwreset/pwreset/ports"
)

// MarkSentBatch implements ports.Outbox: each delivery as MarkSent records it.
func (o *Outbox) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	errs := make([]error, len(ds))
	for i, d := range ds {
		errs[i] = o.MarkSent(ctx, d.ID, d.Owner, d.ProviderID, d.At)
	}
	return errs
}
