package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// check returns every invariant the history breaks, and counts the named windows
// it went through.
func (w *world) check() []string {
	var v []string
	v = append(v, w.checkI1()...)
	v = append(v, w.checkI2()...)
	v = append(v, w.checkI3()...)
	v = append(v, w.checkI4()...)
	v = append(v, w.checkI6Twice()...)
	return v
}

// sendsOf returns the deliveries of message id.
func (w *world) sendsOf(id string) []*sendRec {
	var out []*sendRec
	for _, s := range w.hist.sends {
		if s.id == id {
			out = append(out, s)
		}
	}
	return out
}

// wentOut reports whether message id, or a message an operator requeued in its
// place, went out.
func (w *world) wentOut(id string) bool { return w.copiesOut(id) > 0 }

// copiesOut counts the messages that went out of id and those operators
// requeued in its place (and in theirs).
func (w *world) copiesOut(id string) int {
	n := 0
	if len(w.sendsOf(id)) > 0 {
		n++
	}
	if m := w.hist.msgs[id]; m != nil {
		for _, r := range m.requeued {
			n += w.copiesOut(r)
		}
	}
	return n
}

// requeuedTwice reports whether a message of id's line was requeued by two
// operators' retries: each of them queued a copy.
func (w *world) requeuedTwice(id string) bool {
	m := w.hist.msgs[id]
	if m == nil {
		return false
	}
	ids := slices.Compact(slices.Sorted(slices.Values(m.requeued))) // retries racing store one id once
	return len(ids) > 1 || slices.ContainsFunc(ids, w.requeuedTwice)
}

// linkOfTask returns the link e-mail task stored to be sent, if any.
func (w *world) linkOfTask(task int) *msgRec {
	for _, id := range w.hist.msgOrder {
		if m := w.hist.msgs[id]; m.task == task && m.kind == reset.KindResetLink && m.pending {
			return m
		}
	}
	return nil
}

// checkI1: every password change is followed by exactly one notice, and no
// notice goes out without a change but in a named window.
func (w *world) checkI1() []string {
	if !w.set.Notify {
		return nil
	}
	var v []string
	changed := map[int]bool{}
	for _, c := range w.hist.changes {
		changed[c.task] = true
	}
	for _, r := range w.hist.resets {
		sent := r.notice != "" && w.wentOut(r.notice)
		switch {
		case changed[r.task] && !sent:
			v = append(v, fmt.Sprintf("I1: user %s's password changed (task %d) and no notice went out", r.userID, r.task))
		case changed[r.task] && w.requeuedTwice(r.notice):
			w.hist.windows["I1 failed notice requeued by two outbox retry runs"]++
		case changed[r.task] || !sent:
		case r.crashed:
			w.hist.windows["I1 notice of a change a crash stopped"]++
		case r.unclear:
			w.hist.windows["I1 notice of a write whose outcome was unclear"]++
		case r.delFailed:
			w.hist.windows["I1 notice of a change not made, whose withdrawal failed"]++
		case r.holdLate:
			// docs/operations.md: the hold landed after its withdrawal ran.
			w.hist.windows["I1 notice of a reset whose hold landed after its withdrawal"]++
		case r.done && r.endAt.Sub(r.heldAt) > noticeHold:
			// The reset took longer than the notice's hold, which its store timeout
			// bounds in a process that runs: a paused process, as good as a crash.
			w.hist.windows["I1 notice of a reset paused past its notice's hold"]++
		case errors.Is(r.err, ports.ErrPasswordChanged):
			v = append(v, fmt.Sprintf("I1: a password-changed notice went out to user %s with no change: its reset lost the compare-and-set (task %d: %v)",
				r.userID, r.task, r.err))
		default:
			v = append(v, fmt.Sprintf("I1: a password-changed notice went out to user %s with no change (task %d: %v)",
				r.userID, r.task, r.err))
		}
	}
	return v
}

// checkI2: a link request answered 200 within the user's limits gets exactly one
// link e-mail, and no link e-mail goes out uncounted.
func (w *world) checkI2() []string {
	var v []string
	standing := map[int]bool{} // tasks with a standing event of a user's daily key
	for _, e := range w.hist.events {
		if strings.HasPrefix(e.key, "reset_link:user:") && !e.undone {
			standing[e.task] = true
		}
	}
	for _, id := range w.hist.msgOrder {
		m := w.hist.msgs[id]
		if m.kind != reset.KindResetLink || !m.pending || len(w.sendsOf(id)) == 0 {
			continue
		}
		if strings.HasPrefix(m.userID, "unknown-") {
			v = append(v, fmt.Sprintf("I2: a link e-mail went out for a login nobody has (message %s)", id))
		}
		if !standing[m.task] {
			v = append(v, fmt.Sprintf("I2: a link e-mail to user %s went out uncounted: its limits were taken back (message %s, task %d)",
				m.userID, id, m.task))
		}
	}
	for _, o := range w.hist.operators {
		if o.kind == OpIssueLink.String() && o.err != nil && w.counted(o.task) {
			w.hist.windows["I2 an operator's link counted though the command failed"]++
		}
	}
	for _, r := range w.hist.links {
		if r.userID == "" || !r.done || r.err != nil || !r.checked || !w.entitled(r) {
			continue
		}
		switch m := w.linkOfTask(r.task); {
		case m == nil || !w.wentOut(m.id):
			v = append(v, fmt.Sprintf("I2: user %s's link request (task %d) was answered 200 within their limits, and no link went out",
				r.userID, r.task))
		case w.requeuedTwice(m.id):
			// docs/operations.md: a second run (or one at the same time) requeues
			// a failed message its first did not get to delete.
			w.hist.windows["I2 failed link requeued by two outbox retry runs"]++
		}
	}
	return v
}

// goneOut reports whether the link task made reached the user: its e-mail went
// out, or the operator printed it.
func (w *world) goneOut(task int) bool {
	if m := w.linkOfTask(task); m != nil {
		return w.wentOut(m.id)
	}
	for _, o := range w.hist.operators {
		if o.task == task && o.kind == OpIssueLink.String() {
			// A printed link counts before it is printed, so that none is shown
			// uncounted: one whose command then failed counts all the same.
			return o.done && o.err == nil || w.counted(task)
		}
	}
	return false
}

// counted reports whether the store recorded limit events for task.
func (w *world) counted(task int) bool {
	return slices.ContainsFunc(w.hist.events, func(e *event) bool { return e.task == task })
}

// entitled reports whether the links that reached users before r's limits were
// checked leave r room, as the limiter counts (by the times the callers stamped).
func (w *world) entitled(r *linkReq) bool {
	cool, daily, global := 0, 0, 0
	for _, e := range w.hist.events {
		if e.seq >= r.checkSq || e.task == r.task || !w.goneOut(e.task) {
			continue
		}
		switch e.key {
		case cooldownKeyOf(r.userID):
			if e.at.After(r.checkAt.Add(-w.set.Cooldown)) {
				cool++
			}
		case userKeyOf(r.userID):
			if e.at.After(r.checkAt.Add(-24 * time.Hour)) {
				daily++
			}
		case globalKey:
			if e.at.After(r.checkAt.Add(-time.Hour)) {
				global++
			}
		}
	}
	return (w.set.Cooldown == 0 || cool == 0) && (w.set.DailyCap == 0 || daily < w.set.DailyCap) &&
		(w.set.PerHour == 0 || global < w.set.PerHour)
}

// checkI4: a one-time link changes the password at most once.
func (w *world) checkI4() []string {
	if !w.set.OneTime {
		return nil
	}
	var v []string
	byLink := map[string]int{}
	for _, c := range w.hist.changes {
		if r := w.resetOf[c.task]; r != nil {
			byLink[r.link]++
			if byLink[r.link] == 2 {
				v = append(v, fmt.Sprintf("I4: a one-time link of user %s changed the password twice", c.userID))
			}
		}
	}
	return v
}

// checkI6Twice: nothing goes out twice but in a named window.
func (w *world) checkI6Twice() []string {
	var v []string
	for _, id := range w.hist.msgOrder {
		sends := w.sendsOf(id)
		for _, s := range sends[:max(len(sends)-1, 0)] {
			if s.window == "" {
				v = append(v, fmt.Sprintf("I6: message %s (%s to user %s) went out twice, with no crash or lost answer between",
					id, s.kind, s.userID))
				break
			}
			w.hist.windows["I6 sent again: "+s.window]++
		}
	}
	return v
}
