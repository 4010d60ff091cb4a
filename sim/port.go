package sim

import (
	"context"
	"time"
)

// callTimeout is how long a caller waits for a store's answer, in virtual time;
// maxDelay is the longest a call may be on its way and still arrive. It is
// shorter than every limit's window: a write that arrives late records its event
// at the time its caller stamped it, and a store may already have let a later
// event push that time out of its window.
const (
	callTimeout = 10 * time.Second
	maxDelay    = 30 * time.Second
)

// port is what every port wrapper shares: the task whose calls it gates, and the
// world it records in.
type port struct {
	t *task
	w *world
}

// do parks the task at call, then runs op, the call itself, as the fault the
// schedule chose lets it: op records its own effects in the history when it
// applies (which, for a late write, is after the caller gave up). A read (write
// false) never applies late: a delayed read only fails.
func (p port) do(ctx context.Context, call string, write bool, op func(context.Context) error) error {
	parked := p.w.clock.Now()
	f := p.t.gate(call)
	if waited := p.w.clock.Now().Sub(parked); f.Kind == None && call != "hasher.Hash" && waited > callTimeout {
		// Time moved on while the call was on its way: the caller's timeout ran
		// out. The store takes the call all the same, unless the network held it
		// for longer than it can: then the connection broke and it never arrived.
		f = Fault{Kind: Lost}
		if waited > maxDelay {
			f = Fault{Kind: Fail}
		}
	}
	p.t.fault = f
	p.w.tracef("task %d (%s, i%d): %s %s", p.t.id, p.t.name, p.t.inst, call, f)
	store := context.Background() // the call's effect is the schedule's, not a deadline's
	switch f.Kind {
	case Fail:
		return unavailable(call)
	case Lost:
		if write {
			_ = op(store)
		}
		return unavailable(call)
	case Late:
		if write {
			p.w.late(call, op)
		}
		return deadline(call)
	case HangUp:
		p.t.stop(errHangUp)
		if hungUp(ctx) {
			if f.Apply && write {
				_ = op(store)
			}
			return cancelled(call)
		}
	case Crash:
		if f.Apply && write {
			_ = op(store)
		}
		p.w.crashed(p.t)
		p.t.die()
	case Refuse:
		if write {
			return refused(call)
		}
	}
	err := op(store)
	if err != nil {
		p.w.tracef("task %d: %s: %v", p.t.id, call, err)
	}
	return err
}

// late has op applied by the store at a later step: a task of its own, of no
// instance, that a crash does not stop. The scheduler starts it once the
// calling task parks again (only one goroutine runs at a time).
func (w *world) late(call string, op func(context.Context) error) {
	sent := w.clock.Now()
	w.spawnLater = append(w.spawnLater, func() {
		w.sched.spawn(-1, "late "+call, func(t *task) {
			if f := t.gate("late " + call); f.Kind == Fail || w.clock.Now().Sub(sent) > maxDelay {
				return // lost on the way after all
			}
			_ = op(context.Background())
		})
	})
}
