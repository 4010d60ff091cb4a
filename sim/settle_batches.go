package sim

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// SettleInBatches is b with each MarkSent the simulation's dispatchers make
// recorded by the store's MarkSentBatch, one delivery a call: so that runs on
// a real store exercise its batch code, faults, races and all, however the
// dispatcher settles (the gate still sees an outbox.MarkSent).
func SettleInBatches(b Backend) Backend {
	return func(clock ports.Clock, users []ports.User) (Stores, []ports.User, func(), error) {
		s, stored, cleanup, err := b(clock, users)
		if err == nil {
			s.Outbox = batchSettler{s.Outbox}
		}
		return s, stored, cleanup, err
	}
}

// batchSettler records a MarkSent as a MarkSentBatch of one delivery.
type batchSettler struct{ ports.Outbox }

// MarkSent implements ports.Outbox.
func (o batchSettler) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	return o.MarkSentBatch(ctx, []ports.Delivery{{ID: id, Owner: owner, ProviderID: providerID, At: at}})[0]
}
