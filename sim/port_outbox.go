package sim

import (
	"context"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// box is the Outbox as one task sees it.
type box struct {
	port
	inner ports.Outbox
}

// stored notes a message that the outbox stored for task.
func (b *box) stored(task int, id string, msg ports.Message, pending bool) {
	h := b.w.hist
	if h.msgs[id] != nil {
		return // an id its caller chose, stored before: nothing new
	}
	h.msgs[id] = &msgRec{id: id, kind: msg.Kind, userID: msg.UserID, task: task, created: b.w.clock.Now(), pending: pending}
	h.msgOrder = append(h.msgOrder, id)
	if r := b.w.resetOf[task]; r != nil && msg.Kind == reset.KindPasswordChanged {
		r.notice = id
	}
}

func (b *box) add(ctx context.Context, call string, msg ports.Message, pending bool, f func(context.Context) (string, error)) (string, error) {
	var id string
	task := b.t.id
	if r := b.w.resetOf[task]; r != nil && msg.Kind == reset.KindPasswordChanged {
		r.heldAt = b.w.clock.Now() // its hold runs from here, however late the write lands
	}
	err := b.do(ctx, call, true, func(c context.Context) error {
		var err error
		if id, err = f(c); err == nil {
			b.stored(task, id, msg, pending)
		}
		return err
	})
	if r := b.w.resetOf[task]; err != nil && r != nil && msg.Kind == reset.KindPasswordChanged {
		// A hold withdrawn by its id leaves nothing unless it lands after that.
		r.holdLate = b.t.fault.Kind == Late
	}
	if err != nil {
		return "", err
	}
	return id, nil
}

// Add implements ports.Outbox.
func (b *box) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	return b.add(ctx, "outbox.Add", msg, true, func(c context.Context) (string, error) { return b.inner.Add(c, msg, now) })
}

// Discard implements ports.Outbox.
func (b *box) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	return b.add(ctx, "outbox.Discard", msg, false, func(c context.Context) (string, error) {
		return b.inner.Discard(c, msg, reason, now)
	})
}

// Claim implements ports.Outbox, noting when the task claimed (true time): its
// send is cut off at three quarters of the lease.
func (b *box) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	now = b.serverTime(now)
	var env ports.Envelope
	err := b.do(ctx, "outbox.Claim", true, func(c context.Context) error {
		var err error
		env, err = b.inner.Claim(c, owner, now, lease)
		return err
	})
	if err == nil {
		b.t.claimed = env.ID
		b.w.claims[b.t.id] = b.w.clock.Now()
	}
	return env, err
}

// serverTime is the time a store that judges by its own clock gets: true time if
// it stands in for a server's clock with its callers', else the caller's.
func (b *box) serverTime(callers time.Time) time.Time {
	if b.w.stores.TrueTime {
		return b.w.clock.Now()
	}
	return callers
}

// MarkSent implements ports.Outbox, noting the delivery as settled when it applies.
func (b *box) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	sent, late := b.sendOf(id), b.pastLease()
	err := b.do(ctx, "outbox.MarkSent", true, func(c context.Context) error {
		err := b.inner.MarkSent(c, id, owner, providerID, at)
		if err == nil && sent != nil {
			sent.settled = true
		}
		return err
	})
	b.unsettled(sent, late)
	return err
}

// sendOf is the task's send of message id that the provider took, if any.
func (b *box) sendOf(id string) *sendRec {
	var sent *sendRec
	for _, s := range b.w.hist.sends {
		if s.task == b.t.id && s.id == id {
			sent = s
		}
	}
	return sent
}

// pastLease tells whether the lease of the task's claim has run out by now.
func (b *box) pastLease() bool { return b.w.clock.Now().Sub(b.w.claims[b.t.id]) > lease }

// unsettled notes why sent, whose delivery a call that just returned was to
// record, may go out again if the record did not apply: the call's fault, or it
// came after the lease (late, as pastLease said before the call).
func (b *box) unsettled(sent *sendRec, late bool) {
	if sent == nil || sent.settled || sent.window != "" {
		return
	}
	switch {
	case b.t.fault.Kind != None:
		sent.window = "the delivery's outcome was not stored (a store fault)"
	case late:
		sent.window = "the delivery's outcome came after its lease"
	}
}

func (b *box) write(ctx context.Context, call string, f func(context.Context) error) error {
	return b.do(ctx, call, true, f)
}

// MarkFailed implements ports.Outbox.
func (b *box) MarkFailed(ctx context.Context, id, owner, reason string, at time.Time) error {
	return b.write(ctx, "outbox.MarkFailed", func(c context.Context) error { return b.inner.MarkFailed(c, id, owner, reason, at) })
}

// Release implements ports.Outbox.
func (b *box) Release(ctx context.Context, id string, at time.Time) error {
	at = b.serverTime(at)
	return b.write(ctx, "outbox.Release", func(c context.Context) error { return b.inner.Release(c, id, at) })
}

// Reschedule implements ports.Outbox.
func (b *box) Reschedule(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	return b.write(ctx, "outbox.Reschedule", func(c context.Context) error {
		return b.inner.Reschedule(c, id, owner, next, lastError)
	})
}

// Delete implements ports.Outbox, noting a reset's notice it failed to withdraw.
func (b *box) Delete(ctx context.Context, id string) error {
	err := b.write(ctx, "outbox.Delete", func(c context.Context) error { return b.inner.Delete(c, id) })
	if r := b.w.resetOf[b.t.id]; err != nil && r != nil && r.notice == id {
		r.delFailed = true
	}
	return err
}

// Purge implements ports.Outbox.
func (b *box) Purge(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	err := b.write(ctx, "outbox.Purge", func(c context.Context) error {
		var err error
		n, err = b.inner.Purge(c, cutoff)
		return err
	})
	return n, err
}

// Get implements ports.Outbox.
func (b *box) Get(ctx context.Context, id string) (ports.Envelope, error) {
	var env ports.Envelope
	err := b.do(ctx, "outbox.Get", false, func(c context.Context) error {
		var err error
		env, err = b.inner.Get(c, id)
		return err
	})
	return env, err
}

// Failed implements ports.Outbox.
func (b *box) Failed(ctx context.Context) ([]ports.Envelope, error) {
	var envs []ports.Envelope
	err := b.do(ctx, "outbox.Failed", false, func(c context.Context) error {
		var err error
		envs, err = b.inner.Failed(c)
		return err
	})
	return envs, err
}

// Stats implements ports.Outbox.
func (b *box) Stats(ctx context.Context) (ports.OutboxStats, error) {
	var st ports.OutboxStats
	err := b.do(ctx, "outbox.Stats", false, func(c context.Context) error {
		var err error
		st, err = b.inner.Stats(c)
		return err
	})
	return st, err
}

// MailWaiting implements ports.Outbox.
func (b *box) MailWaiting(ctx context.Context) (int, error) {
	var n int
	err := b.do(ctx, "outbox.MailWaiting", false, func(c context.Context) error {
		var err error
		n, err = b.inner.MailWaiting(c)
		return err
	})
	return n, err
}

// AddLimited implements ports.Outbox, recording the events it counted and the
// message it stored.
func (b *box) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	var id string
	refused := -1
	task := b.t.id
	err := b.do(ctx, "outbox.AddLimited", true, func(c context.Context) error {
		var err error
		if id, refused, err = b.inner.AddLimited(c, m, now); err != nil {
			return err
		}
		l := &limiter{port: b.port}
		seq := b.w.hist.next()
		if refused < 0 {
			for _, lim := range m.Limits {
				l.record(task, lim.Key, now)
			}
		}
		if r := b.w.linkOf[task]; r != nil {
			r.checked, r.checkAt, r.checkSq, r.refused = true, now, seq, refused
		}
		b.stored(task, id, m.Message, refused < 0 && m.Suppress == "")
		return nil
	})
	if err != nil {
		return "", -1, err
	}
	return id, refused, nil
}

// LatestEvent implements ports.Outbox.
func (b *box) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	var at time.Time
	err := b.do(ctx, "outbox.LatestEvent", false, func(c context.Context) error {
		var err error
		at, err = b.inner.LatestEvent(c, key)
		return err
	})
	return at, err
}
