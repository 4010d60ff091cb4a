package sim

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// settleOutcome is what settling deliveries left: in the history, in the store,
// and for the caller.
type settleOutcome struct {
	settled  []bool
	windows  []string
	states   []string
	answered []string // each delivery's answer: "ok", "error", or "none" (the task died)
}

// settleUnder plays one dispatch task that the provider took messages of (all
// claimed by "owner", but the first of them, which "other" holds) and that
// records their deliveries, with one MarkSentBatch or a MarkSent each (batch
// false), the first store call suffering f, the rest none.
func settleUnder(t *testing.T, f Fault, batch bool, n int) settleOutcome {
	t.Helper()
	ctx := context.Background()
	clock := &vclock{now: epoch}
	stores, users, _, err := Memory(clock, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(1, Settings{}, clock, stores, users)
	ids := make([]string, n)
	for i := range ids {
		if ids[i], err = stores.Outbox.Add(ctx, ports.Message{Kind: "reset_link", To: fmt.Sprint(i, "@x.test"), Text: "link"}, epoch); err != nil {
			t.Fatal(err)
		}
		owner := "owner"
		if i == 0 && n > 1 {
			owner = "other"
		}
		if _, err := stores.Outbox.Claim(ctx, owner, epoch, lease); err != nil {
			t.Fatal(err)
		}
	}
	var sends []*sendRec
	answered := make([]string, n)
	for i := range answered {
		answered[i] = "none"
	}
	note := func(i int, err error) {
		answered[i] = "ok"
		if err != nil {
			answered[i] = "error"
		}
	}
	w.sched.spawn(0, "dispatch", func(tk *task) {
		w.claims[tk.id] = w.clock.Now()
		for _, id := range ids {
			s := &sendRec{id: id, task: tk.id, at: w.clock.Now()}
			sends = append(sends, s)
			w.hist.sends = append(w.hist.sends, s)
		}
		_, b, _ := w.ports(tk)
		at := w.clock.Now()
		if !batch {
			for i, id := range ids {
				note(i, b.MarkSent(tk.ctx, id, "owner", "p-"+id, at))
			}
			return
		}
		ds := make([]ports.Delivery, n)
		for i, id := range ids {
			ds[i] = ports.Delivery{ID: id, Owner: "owner", ProviderID: "p-" + id, At: at}
		}
		for i, err := range b.MarkSentBatch(tk.ctx, ds) {
			note(i, err)
		}
	})
	for fault := f; len(w.sched.parked) > 0; fault = (Fault{}) {
		w.grant(0, fault)
		w.afterStep()
	}
	out := settleOutcome{answered: answered}
	for i, s := range sends {
		env, err := stores.Outbox.Get(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		out.settled, out.windows, out.states = append(out.settled, s.settled), append(out.windows, s.window), append(out.states, env.State)
	}
	return out
}

// TestMarkSentBatchFaults: a fault at the gate means for a MarkSentBatch of one
// delivery what it means for MarkSent (applied or not, answered or not), and the
// history records both alike: settled when the record applied, or else why the
// message may go out again. The dispatcher may settle either way.
func TestMarkSentBatchFaults(t *testing.T) {
	faults := []Fault{{Kind: None}, {Kind: Fail}, {Kind: Lost}, {Kind: Late}, {Kind: HangUp}, {Kind: HangUp, Apply: true},
		{Kind: Crash}, {Kind: Crash, Apply: true}, {Kind: Refuse}}
	for _, f := range faults {
		t.Run(f.String(), func(t *testing.T) {
			one, batch := settleUnder(t, f, false, 1), settleUnder(t, f, true, 1)
			if fmt.Sprint(one) != fmt.Sprint(batch) {
				t.Errorf("MarkSent left %+v; MarkSentBatch of one left %+v", one, batch)
			}
			applied := f.Kind == None || f.Kind == Lost || f.Kind == Late || f.Apply
			if batch.settled[0] != applied || (batch.states[0] == ports.StateSent) != applied {
				t.Errorf("%+v; want applied: %v", batch, applied)
			}
		})
	}
}

// TestMarkSentBatchHistory: of a batch of three, the first lost its lease; the
// others are recorded settled, and the answers come in order. A lost reply
// leaves every delivery answered with an error, as MarkSent would each, and the
// history records what applied all the same.
func TestMarkSentBatchHistory(t *testing.T) {
	cases := []struct {
		f    Fault
		want settleOutcome
	}{
		{Fault{Kind: None}, settleOutcome{settled: []bool{false, true, true}, windows: []string{"", "", ""},
			states: []string{ports.StateSending, ports.StateSent, ports.StateSent}, answered: []string{"error", "ok", "ok"}}},
		{Fault{Kind: Lost}, settleOutcome{settled: []bool{false, true, true},
			windows: []string{"the delivery's outcome was not stored (a store fault)", "", ""},
			states:  []string{ports.StateSending, ports.StateSent, ports.StateSent}, answered: []string{"error", "error", "error"}}},
		{Fault{Kind: Fail}, settleOutcome{settled: []bool{false, false, false}, windows: []string{
			"the delivery's outcome was not stored (a store fault)", "the delivery's outcome was not stored (a store fault)",
			"the delivery's outcome was not stored (a store fault)"},
			states: []string{ports.StateSending, ports.StateSending, ports.StateSending}, answered: []string{"error", "error", "error"}}},
	}
	for _, c := range cases {
		t.Run(c.f.String(), func(t *testing.T) {
			if got := settleUnder(t, c.f, true, 3); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestMarkSentBatchLate: a batch that comes after its lease, fault-free, is
// recorded as MarkSent records it: the message may go out again.
func TestMarkSentBatchLate(t *testing.T) {
	ctx := context.Background()
	clock := &vclock{now: epoch}
	stores, users, _, _ := Memory(clock, nil)
	w := newWorld(1, Settings{}, clock, stores, users)
	id, err := stores.Outbox.Add(ctx, ports.Message{Kind: "reset_link", To: "a@x.test"}, epoch)
	if err != nil {
		t.Fatal(err)
	}
	s := &sendRec{id: id}
	var got []error
	w.sched.spawn(0, "dispatch", func(tk *task) {
		w.claims[tk.id] = epoch
		s.task = tk.id
		w.hist.sends = append(w.hist.sends, s)
		w.clock.advance(lease + time.Second)
		_, b, _ := w.ports(tk)
		got = b.MarkSentBatch(tk.ctx, []ports.Delivery{{ID: id, Owner: "owner", At: w.clock.Now()}})
	})
	w.grant(0, Fault{})
	if len(got) != 1 || !errors.Is(got[0], ports.ErrLeaseLost) || s.settled || s.window != "the delivery's outcome came after its lease" {
		t.Fatalf("answered %v, recorded %+v; want ErrLeaseLost and the window of a late outcome", got, *s)
	}
}
