package contract

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// reasons a request's link is suppressed, as the domain gives them.
const (
	unknownUser = "unknown user"
	rateLimited = "rate limited"
)

// testDiscard: a suppressed message is stored finished, without its body, and is
// never sent; Purge, Stats and Failed treat it as a finished message of its own state.
func testDiscard(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("Stored", func(t *testing.T) { testDiscardStored(t, newOutbox(t)) })
	t.Run("NeverClaimed", func(t *testing.T) { testDiscardNeverClaimed(t, newOutbox(t)) })
	t.Run("NotFailed", func(t *testing.T) { testDiscardNotFailed(t, newOutbox(t)) })
	t.Run("Purge", func(t *testing.T) { testDiscardPurge(t, newOutbox(t)) })
	t.Run("Stats", func(t *testing.T) { testDiscardStats(t, newOutbox(t)) })
}

func discard(t *testing.T, box ports.Outbox, n int, reason string, now time.Time) string {
	t.Helper()
	id, err := box.Discard(ctx(t), message(n), reason, now)
	must(t, err)
	return id
}

func testDiscardStored(t *testing.T, box ports.Outbox) {
	seen := map[string]bool{add(t, box, 9, t0): true}
	for i, reason := range []string{unknownUser, rateLimited} {
		now := t0.Add(time.Duration(i+1) * time.Second)
		id := discard(t, box, i, reason, now)
		if id == "" || seen[id] {
			t.Fatalf("Discard #%d returned id %q; want a new, non-empty one", i, id)
		}
		seen[id] = true
		got := get(t, box, id)
		want := ports.Envelope{ID: id, Message: message(i), State: ports.StateSuppressed, CreatedAt: now,
			FinishedAt: now, LastError: reason}
		erase(&want)                           // the body holds the link: it is never stored
		want.NextAttemptAt = got.NextAttemptAt // the adapter's business: it is never due
		checkEnvelope(t, got, want)
	}
}

// testDiscardNeverClaimed: a suppressed message is never due, whenever one claims,
// and does not hide a pending message behind it.
func testDiscardNeverClaimed(t *testing.T, box ports.Outbox) {
	discard(t, box, 0, rateLimited, t0)
	got, err := box.Claim(ctx(t), "worker-a", t0.Add(48*time.Hour), lease)
	expectNothingDue(t, got, err)
	id := add(t, box, 1, t0.Add(time.Second))
	claim(t, box, "worker-a", t0.Add(48*time.Hour), id)
	got, err = box.Claim(ctx(t), "worker-b", t0.Add(48*time.Hour), lease)
	expectNothingDue(t, got, err)
}

func testDiscardNotFailed(t *testing.T, box ports.Outbox) {
	discard(t, box, 0, unknownUser, t0)
	failed := put(t, box, 1, t0.Add(time.Second), ports.StateFailed, t0.Add(2*time.Second))
	discard(t, box, 2, rateLimited, t0.Add(3*time.Second))
	got, err := box.Failed(ctx(t))
	if err != nil || len(got) != 1 || got[0].ID != failed {
		t.Fatalf("Failed = %+v, %v; want only the failed message %s", got, err, failed)
	}
}

// testDiscardPurge: suppressed messages go like sent and failed ones, by FinishedAt.
func testDiscardPurge(t *testing.T, box ports.Outbox) {
	cutoff := t0.Add(time.Hour)
	cases := []struct {
		name   string
		at     time.Time
		purged bool
	}{
		{"long before", t0, true},
		{"just before", cutoff.Add(-time.Millisecond), true},
		{"at cutoff", cutoff, false},
		{"after", cutoff.Add(time.Minute), false},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = discard(t, box, i, rateLimited, c.at)
	}
	sent := put(t, box, 9, t0, ports.StateSent, t0.Add(time.Second))
	if n, err := box.Purge(ctx(t), cutoff); err != nil || n != 3 {
		t.Fatalf("Purge = %d, %v; want 3 (2 suppressed, 1 sent)", n, err)
	}
	for i, c := range cases {
		_, err := box.Get(ctx(t), ids[i])
		if gone := errors.Is(err, ports.ErrMessageNotFound); gone != c.purged || (err != nil && !gone) {
			t.Errorf("%s: Get after Purge: %v; purged: want %v", c.name, err, c.purged)
		}
	}
	if _, err := box.Get(ctx(t), sent); !errors.Is(err, ports.ErrMessageNotFound) {
		t.Errorf("sent message after Purge: %v; want it purged", err)
	}
}

// testDiscardStats: suppressed messages are counted apart, and are never the
// oldest unfinished message.
func testDiscardStats(t *testing.T, box ports.Outbox) {
	discard(t, box, 0, unknownUser, t0)
	discard(t, box, 1, rateLimited, t0.Add(time.Second))
	put(t, box, 2, t0.Add(2*time.Second), ports.StateSent, t0.Add(3*time.Second))
	add(t, box, 3, t0.Add(4*time.Second))
	got, err := box.Stats(ctx(t))
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := map[string]int{ports.StateSuppressed: 2, ports.StateSent: 1, ports.StatePending: 1}
	for state, n := range want {
		if got.Counts[state] != n {
			t.Errorf("Stats counts %d %s, want %d", got.Counts[state], state, n)
		}
	}
	if !sameTime(got.OldestPending, t0.Add(4*time.Second)) {
		t.Errorf("Stats.OldestPending = %v, want %v", got.OldestPending, t0.Add(4*time.Second))
	}
}
