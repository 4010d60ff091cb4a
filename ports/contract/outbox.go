package contract

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// t0 is the start of every outbox scenario. Times in the suite are UTC and whole
// milliseconds, and are compared at millisecond precision, as MongoDB stores them.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const lease = time.Minute

// TestOutbox runs the Outbox contract against the fresh, empty outboxes newOutbox makes.
func TestOutbox(t *testing.T, newOutbox func(t *testing.T) ports.Outbox) {
	t.Run("Add", func(t *testing.T) { testAdd(t, newOutbox(t)) })
	t.Run("Claim", func(t *testing.T) { testClaim(t, newOutbox) })
	t.Run("Lease", func(t *testing.T) { testLease(t, newOutbox(t)) })
	t.Run("ClaimRace", func(t *testing.T) { testClaimRace(t, newOutbox) })
	t.Run("ClaimBatch", func(t *testing.T) { testClaimBatch(t, newOutbox) })
	t.Run("Finish", func(t *testing.T) { testFinish(t, newOutbox) })
	t.Run("MarkSentBatch", func(t *testing.T) { testMarkSentBatch(t, newOutbox) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newOutbox(t)) })
	t.Run("Failed", func(t *testing.T) { testFailed(t, newOutbox(t)) })
	t.Run("Purge", func(t *testing.T) { testPurge(t, newOutbox(t)) })
	t.Run("Stats", func(t *testing.T) { testStats(t, newOutbox(t)) })
	t.Run("StatsByFamily", func(t *testing.T) { testStatsByFamily(t, newOutbox(t)) })
	t.Run("Discard", func(t *testing.T) { testDiscard(t, newOutbox) })
	t.Run("Release", func(t *testing.T) { testRelease(t, newOutbox) })
	t.Run("AddLimited", func(t *testing.T) { testAddLimited(t, newOutbox) })
	t.Run("ChosenID", func(t *testing.T) { testChosenID(t, newOutbox) })
}

// message returns the n-th sample e-mail; every field is set so that a lost one shows.
func message(n int) ports.Message {
	return ports.Message{Kind: "reset_link", UserID: fmt.Sprint(40 + n), From: "noreply@example.com",
		To: fmt.Sprintf("user%d@example.org", n), Subject: "Réinitialiser — reset your password",
		Text: fmt.Sprintf("Open https://example.com/reset/%d\n", n), HTML: fmt.Sprintf("<a href=\"/reset/%d\">reset</a>", n)}
}

func testAdd(t *testing.T, box ports.Outbox) {
	seen := map[string]bool{}
	for i := range 3 {
		now := t0.Add(time.Duration(i) * time.Second)
		id := add(t, box, i, now)
		if id == "" || seen[id] {
			t.Fatalf("Add #%d returned id %q; want a new, non-empty one", i, id)
		}
		seen[id] = true
		checkEnvelope(t, get(t, box, id), ports.Envelope{ID: id, Message: message(i), State: ports.StatePending,
			CreatedAt: now, NextAttemptAt: now})
	}
}

func testClaim(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	s := time.Second
	cases := []struct {
		name string
		due  []time.Duration // each message is added, and so due, at t0 plus this
		at   time.Duration   // when to claim, after t0
		want int             // index in due of the message claimed; -1 for ErrNothingDue
	}{
		{"empty", nil, 0, -1},
		{"due later", []time.Duration{s}, 0, -1},
		{"due now", []time.Duration{0}, 0, 0},
		{"earliest first", []time.Duration{2 * s, 0, s}, time.Minute, 1},
		{"only the due one", []time.Duration{time.Hour, s}, time.Minute, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			box := newOutbox(t)
			var ids []string
			for i, d := range c.due {
				ids = append(ids, add(t, box, i, t0.Add(d)))
			}
			at := t0.Add(c.at)
			got, err := box.Claim(ctx(t), "worker-a", at, lease)
			if c.want < 0 {
				expectNothingDue(t, got, err)
				return
			}
			if err != nil {
				t.Fatalf("Claim: %v", err)
			}
			created := t0.Add(c.due[c.want])
			// NextAttemptAt of a claimed message is the adapter's business.
			checkEnvelope(t, got, ports.Envelope{ID: ids[c.want], Message: message(c.want), State: ports.StateSending,
				Attempts: 1, CreatedAt: created, NextAttemptAt: got.NextAttemptAt, LeaseOwner: "worker-a",
				LeaseExpires: at.Add(lease)})
			checkEnvelope(t, get(t, box, got.ID), got)
		})
	}
}

// testLease: a leased message waits for its lease to expire; then another claim
// takes it, and the first one can no longer record anything about it. The two
// claims are named as one Dispatcher names its claims: two workers of one
// process, whose expired lease must not settle what its sibling holds.
func testLease(t *testing.T, box ports.Outbox) {
	const first, second = "host/42/5eed/1", "host/42/5eed/2"
	id := add(t, box, 0, t0)
	claim(t, box, first, t0, id)
	got, err := box.Claim(ctx(t), second, t0.Add(lease-time.Millisecond), lease)
	expectNothingDue(t, got, err)
	at := t0.Add(lease + time.Millisecond)
	got = claim(t, box, second, at, id)
	if got.Attempts != 2 || got.LeaseOwner != second || !sameTime(got.LeaseExpires, at.Add(lease)) {
		t.Fatalf("reclaimed after expiry: %+v; want attempt 2 leased to %s until %v", got, second, at.Add(lease))
	}
	for name, err := range marks(t, box, id, first, at) {
		if !errors.Is(err, ports.ErrLeaseLost) {
			t.Errorf("%s by the old owner: got %v, want ErrLeaseLost", name, err)
		}
	}
	checkEnvelope(t, get(t, box, id), got) // the old owner changed nothing
	must(t, box.MarkSent(ctx(t), id, second, "provider-1", at))
	for name, err := range marks(t, box, id, second, at) {
		if !errors.Is(err, ports.ErrLeaseLost) {
			t.Errorf("%s of a sent message: got %v, want ErrLeaseLost", name, err)
		}
	}
}

// testClaimRace: of many workers claiming at once, each due message goes to exactly one.
func testClaimRace(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	const workers = 8
	for _, messages := range []int{1, 3} {
		t.Run(fmt.Sprint(messages), func(t *testing.T) {
			box := newOutbox(t)
			for i := range messages {
				add(t, box, i, t0)
			}
			var wg sync.WaitGroup
			got := make([]ports.Envelope, workers)
			errs := make([]error, workers)
			for i := range workers {
				wg.Go(func() { got[i], errs[i] = box.Claim(ctx(t), fmt.Sprint("worker-", i), t0.Add(time.Second), lease) })
			}
			wg.Wait()
			claimed := map[string]bool{}
			for i, err := range errs {
				switch {
				case err == nil && !claimed[got[i].ID]:
					claimed[got[i].ID] = true
				case err == nil:
					t.Errorf("message %s claimed twice", got[i].ID)
				case !errors.Is(err, ports.ErrNothingDue):
					t.Errorf("losing Claim: got %v, want ErrNothingDue", err)
				}
			}
			if len(claimed) != messages {
				t.Fatalf("%d messages claimed, want %d", len(claimed), messages)
			}
		})
	}
}

// marks tries every way an owner can settle a message.
func marks(t *testing.T, box ports.Outbox, id, owner string, at time.Time) map[string]error {
	c := ctx(t)
	return map[string]error{
		"MarkSent":   box.MarkSent(c, id, owner, "provider-x", at),
		"MarkFailed": box.MarkFailed(c, id, owner, "refused", at),
		"Reschedule": box.Reschedule(c, id, owner, at, "try again"),
	}
}

func add(t *testing.T, box ports.Outbox, n int, now time.Time) string {
	t.Helper()
	id, err := box.Add(ctx(t), message(n), now)
	must(t, err)
	return id
}

func claim(t *testing.T, box ports.Outbox, owner string, now time.Time, want string) ports.Envelope {
	t.Helper()
	got, err := box.Claim(ctx(t), owner, now, lease)
	if err != nil || got.ID != want {
		t.Fatalf("Claim by %s at %v = %q, %v; want message %q", owner, now, got.ID, err, want)
	}
	return got
}

func get(t *testing.T, box ports.Outbox, id string) ports.Envelope {
	t.Helper()
	got, err := box.Get(ctx(t), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	return got
}

func expectNothingDue(t *testing.T, got ports.Envelope, err error) {
	t.Helper()
	if !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim = %+v, %v; want ErrNothingDue", got, err)
	}
}

func checkEnvelope(t *testing.T, got, want ports.Envelope) {
	t.Helper()
	if got.ID != want.ID || got.Message != want.Message || got.State != want.State || got.Attempts != want.Attempts ||
		got.LeaseOwner != want.LeaseOwner || got.ProviderID != want.ProviderID || got.LastError != want.LastError ||
		!sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.NextAttemptAt, want.NextAttemptAt) ||
		!sameTime(got.LeaseExpires, want.LeaseExpires) || !sameTime(got.FinishedAt, want.FinishedAt) {
		t.Fatalf("envelope\ngot  %+v\nwant %+v", got, want)
	}
}

func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
