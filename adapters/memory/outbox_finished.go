package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// finished holds the finished messages in the order they finished. Deleted ones stay
// in list until they reach its front or it is compacted; live counts the others.
type finished struct {
	list []*entry
	live int
}

// finish files e, now finished, and drops the messages the bounds no longer allow:
// the oldest beyond MaxFinished, and those finished more than Retention before e.
func (o *Outbox) finish(e *entry) {
	f := &o.finished
	f.list = append(f.list, e)
	f.live++
	for len(f.list) > 0 {
		first := f.list[0]
		expired := o.bounds.Retention > 0 && first.env.FinishedAt.Before(e.env.FinishedAt.Add(-o.bounds.Retention))
		switch {
		case !o.holds(first): // deleted already
		case f.live > o.bounds.MaxFinished || expired:
			o.drop(first)
		default:
			return
		}
		f.list[0] = nil
		f.list = f.list[1:]
	}
}

// holds reports whether e is still stored (not deleted or dropped).
func (o *Outbox) holds(e *entry) bool { return o.msgs[e.env.ID] == e }

// drop forgets a finished message.
func (o *Outbox) drop(e *entry) {
	delete(o.msgs, e.env.ID)
	o.count(e.env, -1)
	o.finished.live--
}

// compact removes deleted messages from the list once they are most of it, so that
// deleting cannot make it grow without bound.
func (o *Outbox) compact() {
	f := &o.finished
	if len(f.list) > 2*f.live+64 {
		f.list = slices.DeleteFunc(f.list, func(e *entry) bool { return !o.holds(e) })
	}
}

// Purge implements ports.Outbox.
func (o *Outbox) Purge(_ context.Context, cutoff time.Time) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	o.finished.list = slices.DeleteFunc(o.finished.list, func(e *entry) bool {
		if !o.holds(e) {
			return true
		}
		if e.env.FinishedAt.Before(cutoff) {
			o.drop(e)
			n++
			return true
		}
		return false
	})
	return n, nil
}

// Failed implements ports.Outbox, oldest CreatedAt first.
func (o *Outbox) Failed(_ context.Context) ([]ports.Envelope, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var failed []*entry
	for _, e := range o.finished.list {
		if o.holds(e) && e.env.State == ports.StateFailed {
			failed = append(failed, e)
		}
	}
	slices.SortFunc(failed, func(a, b *entry) int {
		return cmp.Or(a.env.CreatedAt.Compare(b.env.CreatedAt), cmp.Compare(a.seq, b.seq))
	})
	envs := make([]ports.Envelope, len(failed))
	for i, e := range failed {
		envs[i] = e.env
	}
	return envs, nil
}
