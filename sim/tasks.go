package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// login returns the login a link request for user index i asks with; past the
// last user, a login nobody has.
func (w *world) login(i int) (login, userID string) {
	if i < len(w.users) {
		return w.users[i].Logins[0].Value, w.users[i].ID
	}
	return "nobody", ""
}

// linkRequest is a client asking instance inst for a link, through the per-IP
// throttle the HTTP layer puts first.
func (w *world) linkRequest(inst, user, ip int) {
	login, id := w.login(user)
	addr := "192.0.2." + strconv.Itoa(ip)
	w.sched.spawn(inst, "link "+login, func(t *task) {
		r := &linkReq{task: t.id, inst: inst, userID: id}
		w.hist.links = append(w.hist.links, r)
		w.linkOf[t.id] = r
		_, _, lim := w.ports(t)
		if w.set.PerIP > 0 {
			ok, _, err := lim.Allow(t.ctx, ipKey(addr), w.set.PerIP, ipWindow, w.clockOf(inst).Now())
			if err != nil || !ok {
				r.done, r.err = true, errors.Join(err, errThrottled)
				return
			}
		}
		r.err = w.sender(t).Send(t.ctx, reset.Lookup{Value: login})
		r.done = true
	})
}

// errThrottled is the answer to a request over its address's rate (429).
var errThrottled = errors.New("sim: throttled")

// resetRequest is a client resetting user's password on instance inst with the
// n-th link the user got (a forged one if they got none).
func (w *world) resetRequest(inst, user, n int) {
	if user >= len(w.users) {
		user = 0
	}
	u := w.users[user]
	l := fmt.Sprintf("%s %d forged", u.ID, w.clock.Now().Unix())
	if got := w.links[u.ID]; len(got) > 0 {
		l = got[n%len(got)]
	}
	parts := strings.Fields(l)
	ts, _ := strconv.ParseInt(parts[1], 10, 64)
	w.hist.seq++
	pw := fmt.Sprintf("Velvet-Orbit-%d!", w.hist.seq)
	w.sched.spawn(inst, "reset "+u.ID, func(t *task) {
		r := &resetReq{task: t.id, userID: u.ID, link: l}
		w.hist.resets = append(w.hist.resets, r)
		w.resetOf[t.id] = r
		r.err = w.resetter(t).Reset(t.ctx, reset.Request{UserID: parts[0], Timestamp: ts, Signature: parts[2], Password: pw})
		r.done, r.endAt = true, w.clock.Now()
	})
}

// dispatch is one pass of instance inst's dispatcher: up to n messages, until
// none is due or the store fails.
func (w *world) dispatch(inst, n int) {
	w.sched.spawn(inst, "dispatch", func(t *task) {
		d := w.dispatcher(t)
		for range n {
			if sent, err := d.DeliverDue(t.ctx); !sent || err != nil {
				return
			}
		}
	})
}

// operator runs one of the operator's commands on instance inst.
func (w *world) operator(op Op, inst, user int) {
	if user >= len(w.users) {
		user = 0
	}
	id := w.users[user].ID
	w.sched.spawn(inst, op.String(), func(t *task) {
		rec := &operatorRec{task: t.id, kind: op.String(), userID: id}
		w.hist.operators = append(w.hist.operators, rec)
		s := w.sender(t)
		switch op {
		case OpRetry:
			rec.err = w.retry(t, s)
		case OpSendLink:
			rec.msgID, rec.err = s.SendLink(t.ctx, reset.Target{UserID: id})
		case OpIssueLink:
			var url string
			if url, rec.err = s.IssueLink(t.ctx, reset.Target{UserID: id}); rec.err == nil {
				if l := linkIn(url); l != "" {
					w.links[id] = append(w.links[id], l)
				}
			}
		}
		rec.done = true
	})
}

// retry is `pwreset outbox retry` (app.OutboxTool.Retry): every failed link
// e-mail is queued again with a fresh link, every failed notice sent again, and
// the failed record deleted.
func (w *world) retry(t *task, s *reset.LinkSender) error {
	_, b, _ := w.ports(t)
	failed, err := b.Failed(t.ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, env := range failed {
		var id string
		var err error
		switch env.Message.Kind {
		case reset.KindResetLink:
			id, err = s.ResendLink(t.ctx, env)
		case reset.KindPasswordChanged:
			id, err = w.resetter(t).ResendNotice(t.ctx, env)
		default:
			err = fmt.Errorf("messages of kind %q cannot be requeued", env.Message.Kind)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m := w.hist.msgs[env.ID]; m != nil {
			m.requeued = append(m.requeued, id)
		}
		// Not found: a concurrent run requeued it too, under the same id, and deleted it.
		if err := b.Delete(t.ctx, env.ID); !errors.Is(err, ports.ErrMessageNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// purge is what instance inst purges periodically: rate-limit events older than
// the longest window (app's maintenance), and finished messages older than the
// retention (the dispatcher's PurgeOnce).
func (w *world) purge(inst int) {
	w.sched.spawn(inst, "purge", func(t *task) {
		_, _, l := w.ports(t)
		_, _ = l.Purge(t.ctx, w.clockOf(inst).Now().Add(-24*time.Hour))
		w.dispatcher(t).PurgeOnce(t.ctx)
	})
}

// String names the step's operation.
func (o Op) String() string {
	return [...]string{"grant", "link", "reset", "dispatch", "outbox-retry", "send-link", "issue-link", "purge",
		"advance", "crash", "mail", "settle"}[o]
}

// seedUsers returns the users of a run.
func seedUsers(n int) []ports.User {
	users := make([]ports.User, n)
	for i := range users {
		users[i] = ports.User{
			ID:           "u" + strconv.Itoa(i),
			Logins:       []ports.Field{{Name: "username", Value: "user" + strconv.Itoa(i)}},
			Email:        "user" + strconv.Itoa(i) + "@sim.test",
			PasswordHash: "sim$Initial-Pass-" + strconv.Itoa(i),
		}
	}
	return users
}
