package outbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// delivery is a send the provider took, for the settler to record: the message's
// metadata (its body erased: it holds the link), the provider's id, and when.
type delivery struct {
	env        ports.Envelope
	providerID string
	at         time.Time
}

// errNoResult stands for the result a store left out of MarkSentBatch's answer.
var errNoResult = errors.New("the outbox gave no result for this delivery")

// handOver gives the settler a delivery to record (group commit, see settleAll), so
// that the worker can take its next message without waiting for the store: on a
// saturated machine every round trip a worker waits for is a wait for the
// scheduler as well. When Workers deliveries already wait, the settler is behind
// (one batch at a time caps it at Workers a round trip): the worker records its
// own delivery, as it did before there was a settler, and waits for that. So no
// more than Workers deliveries ever wait in memory, a slow store slows delivery
// rather than piling deliveries up, and a settler that falls behind never makes
// delivery slower than a write per worker would.
func (d *Dispatcher) handOver(ctx context.Context, x delivery) {
	select {
	case d.handed <- x:
		return
	default:
	}
	d.handing.Add(1)
	defer d.handing.Add(-1)
	d.record(ctx, []delivery{x})
}

// settleAll records the deliveries the workers hand over until quit is closed,
// which Run does once every worker has stopped; then it records what is left and
// returns. Each batch is what gathered while the last was being written, at most
// Workers deliveries, in one MarkSentBatch.
//
// A process killed with deliveries waiting here leaves their messages leased:
// they are sent again once their leases expire, as a message whose worker died
// between the send and MarkSent always was; the window is only the few
// milliseconds of a batch longer. A delivery waits here behind at most the batch
// being written, so the last quarter of the lease, which the send leaves for
// storing its outcome, covers two batches that each take all of storeTimeout
// under the default MAIL_LEASE.
func (d *Dispatcher) settleAll(ctx context.Context, quit <-chan struct{}) {
	batch := make([]delivery, 0, cap(d.handed))
	for {
		select {
		case x := <-d.handed:
			d.record(ctx, d.gather(append(batch, x)))
		case <-quit: // no worker hands over any more
			for len(d.handed) > 0 {
				d.record(ctx, d.gather(batch))
			}
			return
		}
	}
}

// gather appends what waits in d.handed to batch, up to its capacity, without waiting.
func (d *Dispatcher) gather(batch []delivery) []delivery {
	for len(batch) < cap(batch) {
		select {
		case x := <-d.handed:
			batch = append(batch, x)
		default:
			return batch
		}
	}
	return batch
}

// record stores the deliveries of batch in one MarkSentBatch, with a context that
// shutdown does not cancel, and then, for each, what settle does for an outcome: its
// line ("mail sent", or why it was not stored) and the audit event <kind>.sent. Each
// is announced first: the provider took the message, whatever the store says next,
// and an announcement stored before the outcome is never lost to a crash between
// the two; were the message sent and announced again (its lease run out), the
// announcement's id, the message's and the outcome's, makes it one event. It
// clears batch, which keeps no metadata after.
func (d *Dispatcher) record(ctx context.Context, batch []delivery) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	ds := make([]ports.Delivery, len(batch))
	for i, x := range batch {
		ds[i] = ports.Delivery{ID: x.env.ID, Owner: x.env.LeaseOwner, ProviderID: x.providerID, At: x.at}
		d.announce(ctx, d.forMessage(&batch[i].env), x.env, audit.DeliverySent)
	}
	errs := d.box.MarkSentBatch(c, ds)
	for i := range batch {
		x := &batch[i]
		err := errNoResult
		if i < len(errs) {
			err = errs[i]
		}
		logOutcome(c, d.forMessage(&x.env), err, slog.LevelInfo, "mail sent", slog.String("provider_id", x.providerID))
		// The security event, named after the kind: reset_link.sent, password_changed.sent.
		d.audit.Event(ctx, x.env.Message.Kind+audit.DeliverySent, "user_id", x.env.Message.UserID,
			"outbox_id", x.env.ID, "provider_id", x.providerID)
	}
	clear(batch)
}
