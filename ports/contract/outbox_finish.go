package contract

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testFinish: what each way of settling a claimed message leaves in the outbox.
func testFinish(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	at, next := t0.Add(10*time.Second), t0.Add(5*time.Minute)
	cases := []struct {
		name   string
		finish func(t *testing.T, box ports.Outbox, id string) error
		want   func(e *ports.Envelope) // turns the claimed envelope into the one expected
		dueAt  time.Time               // when it is due again; zero for never
	}{
		{"MarkSent", func(t *testing.T, box ports.Outbox, id string) error {
			return box.MarkSent(ctx(t), id, "worker-a", "provider-1", at)
		}, func(e *ports.Envelope) {
			e.State, e.ProviderID, e.FinishedAt = ports.StateSent, "provider-1", at
			erase(e)
		}, time.Time{}},
		{"MarkFailed", func(t *testing.T, box ports.Outbox, id string) error {
			return box.MarkFailed(ctx(t), id, "worker-a", "mail provider answered 400: invalid recipient", at)
		}, func(e *ports.Envelope) {
			e.State, e.LastError, e.FinishedAt = ports.StateFailed, "mail provider answered 400: invalid recipient", at
			erase(e)
		}, time.Time{}},
		{"Reschedule", func(t *testing.T, box ports.Outbox, id string) error {
			return box.Reschedule(ctx(t), id, "worker-a", next, "mail provider answered 503: busy")
		}, func(e *ports.Envelope) {
			e.State, e.NextAttemptAt, e.LastError = ports.StatePending, next, "mail provider answered 503: busy"
			e.LeaseOwner, e.LeaseExpires = "", time.Time{} // the lease is released
		}, next},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			box := newOutbox(t)
			id := add(t, box, 0, t0)
			want := claim(t, box, "worker-a", t0, id)
			must(t, c.finish(t, box, id))
			c.want(&want)
			got := get(t, box, id)
			if c.dueAt.IsZero() {
				// Where a finished message's lease and schedule end up is the adapter's business.
				want.LeaseOwner, want.LeaseExpires, want.NextAttemptAt = got.LeaseOwner, got.LeaseExpires, got.NextAttemptAt
			}
			checkEnvelope(t, got, want)
			if c.dueAt.IsZero() { // a finished message is never sent again
				got, err := box.Claim(ctx(t), "worker-b", t0.Add(48*time.Hour), lease)
				expectNothingDue(t, got, err)
				return
			}
			got, err := box.Claim(ctx(t), "worker-b", c.dueAt.Add(-time.Millisecond), lease)
			expectNothingDue(t, got, err)
			got = claim(t, box, "worker-b", c.dueAt, id)
			if got.Attempts != 2 || got.LastError != want.LastError || got.Message != message(0) {
				t.Fatalf("claimed again: %+v; want attempt 2 with the whole message and its last error", got)
			}
		})
	}
}

func erase(e *ports.Envelope) { e.Message.Subject, e.Message.Text, e.Message.HTML = "", "", "" }

func testNotFound(t *testing.T, box ports.Outbox) {
	kept, gone := add(t, box, 0, t0), add(t, box, 1, t0)
	must(t, box.Delete(ctx(t), gone))
	for _, id := range []string{gone, "no-such-id", "", "65a1b2c3d4e5f60718293a4c"} {
		t.Run(id, func(t *testing.T) {
			if _, err := box.Get(ctx(t), id); !errors.Is(err, ports.ErrMessageNotFound) {
				t.Errorf("Get: got %v, want ErrMessageNotFound", err)
			}
			if err := box.Delete(ctx(t), id); !errors.Is(err, ports.ErrMessageNotFound) {
				t.Errorf("Delete: got %v, want ErrMessageNotFound", err)
			}
		})
	}
	get(t, box, kept) // Delete removed only its own message
}

// testFailed: the failed messages, oldest (by CreatedAt) first, whatever order they failed in.
func testFailed(t *testing.T, box ports.Outbox) {
	if got, err := box.Failed(ctx(t)); err != nil || len(got) != 0 {
		t.Fatalf("Failed of an empty outbox = %v, %v; want none", got, err)
	}
	var want []string
	for i, finished := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute} {
		want = append(want, put(t, box, i, t0.Add(time.Duration(i)*time.Second), ports.StateFailed, t0.Add(finished)))
	}
	put(t, box, 3, t0.Add(4*time.Second), ports.StateSent, t0.Add(5*time.Minute))
	put(t, box, 4, t0.Add(5*time.Second), ports.StateSending, time.Time{})
	put(t, box, 5, t0.Add(6*time.Second), ports.StatePending, time.Time{})
	got, err := box.Failed(ctx(t))
	if err != nil {
		t.Fatalf("Failed: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("Failed listed %d messages, want %d", len(got), len(want))
	}
	for i, e := range got {
		if e.ID != want[i] || e.State != ports.StateFailed || e.LastError != "refused" || e.Message.Text != "" ||
			e.Message.To != message(i).To {
			t.Errorf("Failed[%d] = %+v; want failed message %s, erased, with its reason", i, e, want[i])
		}
	}
}

// testPurge: only sent and failed messages that finished before the cutoff go.
func testPurge(t *testing.T, box ports.Outbox) {
	cutoff := t0.Add(time.Hour)
	s := time.Second
	cases := []struct {
		name     string
		state    string
		finished time.Time
		purged   bool
	}{
		{"sent before", ports.StateSent, t0.Add(time.Minute), true},
		{"failed before", ports.StateFailed, t0.Add(2 * time.Minute), true},
		{"sent at cutoff", ports.StateSent, cutoff, false},
		{"failed after", ports.StateFailed, cutoff.Add(time.Minute), false},
		{"sending, lease long expired", ports.StateSending, time.Time{}, false},
		{"pending since long ago", ports.StatePending, time.Time{}, false},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = put(t, box, i, t0.Add(time.Duration(i)*s), c.state, c.finished)
	}
	if n, err := box.Purge(ctx(t), cutoff); err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2", n, err)
	}
	for i, c := range cases {
		_, err := box.Get(ctx(t), ids[i])
		if gone := errors.Is(err, ports.ErrMessageNotFound); gone != c.purged || (err != nil && !gone) {
			t.Errorf("%s: Get after Purge: %v; purged: want %v", c.name, err, c.purged)
		}
	}
	if n, err := box.Purge(ctx(t), cutoff); err != nil || n != 0 {
		t.Fatalf("second Purge = %d, %v; want 0", n, err)
	}
}

// testStats: counts by state and the oldest unfinished message, as messages arrive.
func testStats(t *testing.T, box ports.Outbox) {
	checkStats(t, box, [4]int{}, time.Time{})
	s := time.Second
	steps := []struct {
		created time.Duration
		state   string
		counts  [4]int        // pending, sending, sent, failed after this step
		oldest  time.Duration // OldestPending after this step; -1 for none
	}{
		{0, ports.StateSent, [4]int{0, 0, 1, 0}, -1},
		{s, ports.StateFailed, [4]int{0, 0, 1, 1}, -1},
		{4 * s, ports.StatePending, [4]int{1, 0, 1, 1}, 4 * s},
		{2 * s, ports.StateSending, [4]int{1, 1, 1, 1}, 2 * s},
		{3 * s, ports.StatePending, [4]int{2, 1, 1, 1}, 2 * s},
	}
	for i, step := range steps {
		created := t0.Add(step.created)
		put(t, box, i, created, step.state, created.Add(s))
		oldest := time.Time{}
		if step.oldest >= 0 {
			oldest = t0.Add(step.oldest)
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkStats(t, box, step.counts, oldest) })
	}
}

func checkStats(t *testing.T, box ports.Outbox, counts [4]int, oldest time.Time) {
	t.Helper()
	got, err := box.Stats(ctx(t))
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	for i, state := range []string{ports.StatePending, ports.StateSending, ports.StateSent, ports.StateFailed} {
		if got.Counts[state] != counts[i] {
			t.Errorf("Stats counts %d %s, want %d", got.Counts[state], state, counts[i])
		}
	}
	if !sameTime(got.OldestPending, oldest) {
		t.Errorf("Stats.OldestPending = %v, want %v", got.OldestPending, oldest)
	}
}

// put adds message n at created and takes it to state; sent and failed ones finish at
// finished. A message claimed here must be the only one due at its creation: callers
// never put a pending message before a later-created one that is to be claimed.
func put(t *testing.T, box ports.Outbox, n int, created time.Time, state string, finished time.Time) string {
	t.Helper()
	return putMessage(t, box, message(n), created, state, finished)
}

// putMessage is put with a message of the caller's.
func putMessage(t *testing.T, box ports.Outbox, msg ports.Message, created time.Time, state string, finished time.Time) string {
	t.Helper()
	id, err := box.Add(ctx(t), msg, created)
	must(t, err)
	if state == ports.StatePending {
		return id
	}
	claim(t, box, "setup", created, id)
	switch state {
	case ports.StateSent:
		must(t, box.MarkSent(ctx(t), id, "setup", "provider-"+id, finished))
	case ports.StateFailed:
		must(t, box.MarkFailed(ctx(t), id, "setup", "refused", finished))
	}
	return id
}
