package contract

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testMarkSentBatch: MarkSentBatch records each delivery as MarkSent would, and
// answers for each, in order, what MarkSent would have answered.
func testMarkSentBatch(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("Several", func(t *testing.T) { testBatchSeveral(t, newOutbox(t)) })
	t.Run("Mixed", func(t *testing.T) { testBatchMixed(t, newOutbox(t)) })
	t.Run("Empty", func(t *testing.T) { testBatchEmpty(t, newOutbox(t)) })
	t.Run("Owners", func(t *testing.T) { testBatchOwners(t, newOutbox(t)) })
}

// testBatchSeveral: messages settled together end up exactly as one MarkSent
// settles (state, provider id, finish time, body erased, lease and schedule as
// the store leaves them), one of them under an id its caller chose; asked again,
// the batch changes nothing.
func testBatchSeveral(t *testing.T, box ports.Outbox) {
	at := t0.Add(10 * time.Second)
	for i := range 3 {
		add(t, box, i, t0)
	}
	if _, err := box.Add(ctx(t), chosen(3, "batch_chosen-3"), t0); err != nil {
		t.Fatal(err)
	}
	claimed, err := box.ClaimBatch(ctx(t), "batch-a", t0, lease, 4)
	must(t, err)
	if len(claimed) != 4 {
		t.Fatalf("claimed %d messages, want 4", len(claimed))
	}
	must(t, box.MarkSent(ctx(t), claimed[0].ID, "batch-a", "provider-0", at))
	ref := get(t, box, claimed[0].ID)
	var ds []ports.Delivery
	for i, env := range claimed[1:] {
		ds = append(ds, ports.Delivery{ID: env.ID, Owner: "batch-a", ProviderID: fmt.Sprint("provider-", i+1), At: at})
	}
	checkResults(t, box.MarkSentBatch(ctx(t), ds), nil, nil, nil)
	check := func() {
		t.Helper()
		for i, env := range claimed[1:] {
			want := env
			want.State, want.ProviderID, want.FinishedAt = ports.StateSent, ds[i].ProviderID, at
			want.LeaseOwner, want.LeaseExpires, want.NextAttemptAt = ref.LeaseOwner, ref.LeaseExpires, ref.NextAttemptAt
			erase(&want)
			checkEnvelope(t, get(t, box, env.ID), want)
		}
	}
	check()
	// The batch again, as after a reply that was lost: each answers as MarkSent
	// asked again would, and nothing changes.
	for i := range ds {
		ds[i].At = at.Add(time.Second)
	}
	checkResults(t, box.MarkSentBatch(ctx(t), ds), ports.ErrLeaseLost, ports.ErrLeaseLost, ports.ErrLeaseLost)
	for i := range ds {
		ds[i].At = at
	}
	check()
	got, err := box.Claim(ctx(t), "worker-b", t0.Add(48*time.Hour), lease)
	expectNothingDue(t, got, err)
	checkStats(t, box, [4]int{0, 0, 4, 0}, time.Time{})
}

// testBatchMixed: one batch of deliveries that apply and deliveries that do not
// (a lease another owner took since, ids the outbox does not hold, a message
// sent already by the same delivery): each answers as MarkSent would, in order,
// and only the ones that apply change anything.
func testBatchMixed(t *testing.T, box ports.Outbox) {
	at := t0.Add(lease + time.Millisecond)
	lost := add(t, box, 0, t0)
	claim(t, box, "batch-a", t0, lost)
	gone := add(t, box, 1, at)
	must(t, box.Delete(ctx(t), gone))
	var ids []string
	for i := 2; i < 5; i++ {
		ids = append(ids, add(t, box, i, at))
	}
	retaken := claim(t, box, "batch-b", at, lost) // the earliest due: batch-a's lease expired
	claimed, err := box.ClaimBatch(ctx(t), "batch-c", at, lease, 3)
	must(t, err)
	if len(claimed) != 3 {
		t.Fatalf("claimed %d messages, want 3", len(claimed))
	}
	sentBefore := claimed[1].ID
	must(t, box.MarkSent(ctx(t), sentBefore, "batch-c", "provider-1", at))
	before := get(t, box, sentBefore)
	ds := []ports.Delivery{
		{ID: claimed[0].ID, Owner: "batch-c", ProviderID: "provider-0", At: at},
		{ID: lost, Owner: "batch-a", ProviderID: "provider-lost", At: at},
		{ID: gone, Owner: "batch-c", ProviderID: "provider-gone", At: at},
		{ID: sentBefore, Owner: "batch-c", ProviderID: "provider-1", At: at}, // its reply lost, asked again
		{ID: "no-such-id", Owner: "batch-c", ProviderID: "provider-x", At: at},
		{ID: "", Owner: "batch-c", ProviderID: "provider-y", At: at},
		{ID: claimed[2].ID, Owner: "batch-c", ProviderID: "provider-2", At: at},
	}
	want := []error{nil, ports.ErrLeaseLost, ports.ErrMessageNotFound, ports.ErrLeaseLost,
		ports.ErrMessageNotFound, ports.ErrMessageNotFound, nil}
	checkResults(t, box.MarkSentBatch(ctx(t), ds), want...)
	for i := 1; i < 6; i++ { // MarkSent answers each that did not apply alike
		d := ds[i]
		if err := box.MarkSent(ctx(t), d.ID, d.Owner, d.ProviderID, d.At); !errors.Is(err, want[i]) {
			t.Errorf("MarkSent of delivery %d after the batch = %v; the batch answered %v", i, err, want[i])
		}
	}
	checkEnvelope(t, get(t, box, lost), retaken) // batch-a changed nothing
	checkEnvelope(t, get(t, box, sentBefore), before)
	for _, i := range []int{0, 6} {
		env := get(t, box, ds[i].ID)
		if env.State != ports.StateSent || env.ProviderID != ds[i].ProviderID || !sameTime(env.FinishedAt, at) || env.Message.Text != "" {
			t.Errorf("delivery %d: %+v; want it sent with provider id %s at %v, body erased", i, env, ds[i].ProviderID, at)
		}
	}
	checkStats(t, box, [4]int{0, 1, 3, 0}, t0)
}

// testBatchEmpty: no deliveries, no results, nothing changed.
func testBatchEmpty(t *testing.T, box ports.Outbox) {
	id := add(t, box, 0, t0)
	want := claim(t, box, "batch-a", t0, id)
	for _, ds := range [][]ports.Delivery{nil, {}} {
		if errs := box.MarkSentBatch(ctx(t), ds); len(errs) != 0 {
			t.Errorf("MarkSentBatch(%#v) = %v; want no results", ds, errs)
		}
	}
	checkEnvelope(t, get(t, box, id), want)
}

// testBatchOwners: a batch gathers deliveries of messages claimed by different
// ClaimBatch calls, each under its owner; the owner counts per delivery, so one
// naming a message another batch holds changes nothing.
func testBatchOwners(t *testing.T, box ports.Outbox) {
	at := t0.Add(time.Second)
	for i := range 5 {
		add(t, box, i, t0.Add(time.Duration(i)*time.Millisecond))
	}
	first, err := box.ClaimBatch(ctx(t), "batch-1", at, lease, 3)
	must(t, err)
	second, err := box.ClaimBatch(ctx(t), "batch-2", at, lease, 2)
	must(t, err)
	if len(first) != 3 || len(second) != 2 {
		t.Fatalf("claimed %d and %d messages, want 3 and 2", len(first), len(second))
	}
	ds := []ports.Delivery{
		{ID: second[1].ID, Owner: "batch-2", ProviderID: "provider-4", At: at},
		{ID: first[0].ID, Owner: "batch-1", ProviderID: "provider-0", At: at},
		{ID: first[2].ID, Owner: "batch-2", ProviderID: "provider-2", At: at}, // batch-1 holds it
		{ID: second[0].ID, Owner: "batch-2", ProviderID: "provider-3", At: at},
		{ID: first[1].ID, Owner: "batch-1", ProviderID: "provider-1", At: at},
	}
	checkResults(t, box.MarkSentBatch(ctx(t), ds), nil, nil, ports.ErrLeaseLost, nil, nil)
	for i, d := range ds {
		env := get(t, box, d.ID)
		if i == 2 {
			checkEnvelope(t, env, first[2])
			continue
		}
		if env.State != ports.StateSent || env.ProviderID != d.ProviderID || !sameTime(env.FinishedAt, at) {
			t.Errorf("delivery %d: %+v; want it sent with provider id %s", i, env, d.ProviderID)
		}
	}
	checkStats(t, box, [4]int{0, 1, 4, 0}, t0.Add(2*time.Millisecond))
}

// checkResults compares MarkSentBatch's results with want, in order.
func checkResults(t *testing.T, got []error, want ...error) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("MarkSentBatch returned %d results (%v), want %d", len(got), got, len(want))
	}
	for i, err := range got {
		if (want[i] == nil) != (err == nil) || !errors.Is(err, want[i]) {
			t.Errorf("result %d = %v, want %v", i, err, want[i])
		}
	}
}
