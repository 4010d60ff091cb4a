package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/ports"
)

// markSentBatch records the deliveries of one batch as MarkSent records one, in
// one statement, and returns the ordinals (from 1) of those that applied. Each
// delivery names its message by the bigint id ($1; 0 for none) or by the id its
// caller chose ($2; the empty string, which names no message, for none), and is
// settled by its key, filtered on its own lease. The state is a parameter ($6),
// as in settle: a generic plan must not find the messages in pwreset_outbox_due.
const markSentBatch = `UPDATE pwreset_outbox o SET state = 'sent', finished_at = d.at, provider_id = d.provider,` + erase + `
	FROM (SELECT coalesce(c.id, d.id) AS id, d.owner, d.provider, d.at, d.n
	      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
	           WITH ORDINALITY AS d(id, chosen, owner, provider, at, n)
	      LEFT JOIN pwreset_outbox c ON d.id = 0 AND c.chosen_id = d.chosen) d
	WHERE o.id = d.id AND o.state = $6 AND o.lease_owner = d.owner
	RETURNING d.n`

// MarkSentBatch implements ports.Outbox in one statement. Only when some delivery
// did not apply does a second one tell, for those, a lease lost from a message
// that is not there, as MarkSent tells them.
func (o *Outbox) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	errs := make([]error, len(ds))
	b := batchArgs{}
	for i, d := range ds {
		if !b.add(i, d) {
			errs[i] = ports.ErrMessageNotFound
		}
	}
	if len(b.index) == 0 {
		return errs
	}
	opCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rows, _ := o.pool.Query(opCtx, markSentBatch, b.ids, b.chosen, b.owners, b.providers, b.ats, "sending")
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return b.fill(errs, translateWrite(ctx, fmt.Sprintf("outbox: mark %d messages sent", len(b.index)), err))
	}
	done := make([]bool, len(b.index))
	for _, n := range applied {
		done[n-1] = true
	}
	missed := batchArgs{}
	for j, i := range b.index {
		if !done[j] {
			missed.add(i, ds[i])
		}
	}
	if len(missed.index) > 0 {
		o.unsettled(ctx, opCtx, missed, errs)
	}
	return errs
}

// unsettled sets the results of the deliveries m holds, which did not apply: a
// message that is there lost its lease (or was settled), one that is not is not
// found.
func (o *Outbox) unsettled(ctx, opCtx context.Context, m batchArgs, errs []error) {
	rows, _ := o.pool.Query(opCtx, "SELECT id, coalesce(chosen_id, '') FROM pwreset_outbox WHERE id = ANY($1) OR chosen_id = ANY($2)",
		m.ids, m.chosen)
	ids, chosen := map[int64]bool{}, map[string]bool{}
	var id int64
	var c string
	_, err := pgx.ForEachRow(rows, []any{&id, &c}, func() error {
		ids[id] = true
		if c != "" { // '' names no message
			chosen[c] = true
		}
		return nil
	})
	if err != nil {
		m.fill(errs, translate(ctx, fmt.Sprintf("outbox: look %d messages up", len(m.index)), err))
		return
	}
	for j, i := range m.index {
		if ids[m.ids[j]] || chosen[m.chosen[j]] {
			errs[i] = ports.ErrLeaseLost
		} else {
			errs[i] = ports.ErrMessageNotFound
		}
	}
}

// batchArgs are deliveries of a batch as the statement's arrays; index is each
// one's place among the deliveries.
type batchArgs struct {
	index          []int
	ids            []int64
	chosen, owners []string
	providers      []string
	ats            []time.Time
}

// add appends d, the i-th delivery, unless its id can name no message.
func (b *batchArgs) add(i int, d ports.Delivery) bool {
	_, value, ok := messageID(d.ID)
	if !ok {
		return false
	}
	n, _ := value.(int64)
	c, _ := value.(string)
	b.index = append(b.index, i)
	b.ids, b.chosen = append(b.ids, n), append(b.chosen, c)
	b.owners, b.providers, b.ats = append(b.owners, d.Owner), append(b.providers, d.ProviderID), append(b.ats, d.At)
	return true
}

// fill gives err to every delivery b holds.
func (b *batchArgs) fill(errs []error, err error) []error {
	for _, i := range b.index {
		errs[i] = err
	}
	return errs
}
