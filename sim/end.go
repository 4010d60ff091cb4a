package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// finish stops the faults and lets every parked call go on until all tasks end;
// it returns a violation if they never do.
func (w *world) finish() string {
	w.mail = MailUp
	for n := 0; len(w.sched.parked) > 0; n++ {
		if n > maxGrants {
			return fmt.Sprintf("liveness: tasks still running after %d calls without faults: %s", n, w.sched.parked[0].name)
		}
		w.grant(0, Fault{})
		w.afterStep()
	}
	return ""
}

// recover moves time past every lease and held notice, has the operator requeue
// failed links, drains the outbox (I6), and gives every user a fresh link to
// reset with (I5).
func (w *world) recover() string {
	w.clock.advance(noticeHold + lease + time.Second)
	if v := w.drain(); v != "" {
		return v
	}
	if v := w.i6Drained(); v != "" {
		return v
	}
	w.operator(OpRetry, 0, 0)
	if v := w.finish(); v != "" {
		return v
	}
	if v := w.drain(); v != "" {
		return v
	}
	return w.i5FreshLinks()
}

// drain has instance 0 deliver until nothing is due, once time has moved past
// the due time of a message an instance whose clock is ahead just stored.
func (w *world) drain() string {
	w.clock.advance(w.tolerance() + time.Millisecond)
	w.dispatch(0, 1<<30)
	return w.finish()
}

// i6Drained checks that nothing is left to send once the provider is back and a
// lease (and a notice's hold) has passed, and that every failure has a reason.
func (w *world) i6Drained() string {
	ctx := context.Background()
	st, err := w.stores.Outbox.Stats(ctx)
	if err != nil {
		return fmt.Sprintf("I6: read the outbox: %v", err)
	}
	if n := st.Counts[ports.StatePending] + st.Counts[ports.StateSending]; n > 0 {
		return fmt.Sprintf("I6: %d messages still unsent a lease after the provider came back", n)
	}
	failed, err := w.stores.Outbox.Failed(ctx)
	if err != nil {
		return fmt.Sprintf("I6: read the failed messages: %v", err)
	}
	for _, f := range failed {
		if f.LastError == "" {
			return fmt.Sprintf("I6: message %s failed without a reason", f.ID)
		}
	}
	return ""
}

// i5FreshLinks checks that, once the faults stopped and the user's limits have
// room again (a day and a cooldown later), every user can ask for a link and
// reset their password with it.
func (w *world) i5FreshLinks() string {
	w.clock.advance(24*time.Hour + w.set.Cooldown + time.Second)
	for i, u := range w.users {
		w.linkRequest(0, i, 200+i)
		if v := w.finish(); v != "" {
			return v
		}
		req := w.hist.links[len(w.hist.links)-1]
		if v := w.drain(); v != "" {
			return v
		}
		if req.err != nil {
			return fmt.Sprintf("I5: user %s's fresh link request failed: %v", u.ID, req.err)
		}
		got := w.links[u.ID]
		if len(got) == 0 || !w.deliveredFrom(req.task) {
			return fmt.Sprintf("I5: user %s got no fresh link", u.ID)
		}
		w.links[u.ID] = got[len(got)-1:]
		w.resetRequest(0, i, 0)
		if v := w.finish(); v != "" {
			return v
		}
		if r := w.hist.resets[len(w.hist.resets)-1]; r.err != nil {
			return fmt.Sprintf("I5: user %s could not reset with a fresh link: %v", u.ID, r.err)
		}
		if v := w.drain(); v != "" {
			return v
		}
	}
	return ""
}

// deliveredFrom reports whether a message task stored went out.
func (w *world) deliveredFrom(task int) bool {
	for _, s := range w.hist.sends {
		if m := w.hist.msgs[s.id]; m != nil && m.task == task {
			return true
		}
	}
	return false
}
