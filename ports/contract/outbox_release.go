package contract

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testRelease runs the cases of Outbox.Release.
func testRelease(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("DueAtOnce", func(t *testing.T) { testReleaseDue(t, newOutbox(t)) })
	t.Run("NotPending", func(t *testing.T) { testReleaseNotPending(t, newOutbox(t)) })
	t.Run("Unknown", func(t *testing.T) { testReleaseUnknown(t, newOutbox(t)) })
}

// testReleaseDue: a message held back is claimable the moment it is released,
// before messages that fell due earlier than its old time, and only once.
func testReleaseDue(t *testing.T, box ports.Outbox) {
	now := t0.Add(time.Second)
	early := add(t, box, 0, t0.Add(20*time.Second))
	held := add(t, box, 1, t0.Add(50*time.Second))
	later := add(t, box, 2, t0.Add(40*time.Second))
	got, err := box.Claim(ctx(t), "worker-a", now, lease)
	expectNothingDue(t, got, err)
	must(t, box.Release(ctx(t), held, now))
	checkEnvelope(t, get(t, box, held), ports.Envelope{ID: held, Message: message(1), State: ports.StatePending,
		CreatedAt: t0.Add(50 * time.Second), NextAttemptAt: now})
	got = claim(t, box, "worker-a", now, held)
	if got.Attempts != 1 || got.Message != message(1) {
		t.Fatalf("released message claimed as %+v; want attempt 1 with the whole message", got)
	}
	got, err = box.Claim(ctx(t), "worker-b", now, lease)
	expectNothingDue(t, got, err) // the others keep their time
	for _, id := range []string{early, later} {
		if e := get(t, box, id); e.State != ports.StatePending || e.NextAttemptAt.Before(t0.Add(20*time.Second)) {
			t.Errorf("message %s changed by the release of another: %+v", id, e)
		}
	}
	claim(t, box, "worker-b", t0.Add(20*time.Second), early)
}

// testReleaseNotPending: a message being sent, sent, failed or suppressed is not
// released: the call says so and changes nothing, so that a release racing the
// dispatcher never sends a message twice.
func testReleaseNotPending(t *testing.T, box ports.Outbox) {
	at := t0.Add(time.Second)
	sending := add(t, box, 0, t0)
	claim(t, box, "worker-a", t0, sending)
	sent := add(t, box, 1, t0)
	claim(t, box, "worker-a", t0, sent)
	must(t, box.MarkSent(ctx(t), sent, "worker-a", "provider-1", t0))
	failed := add(t, box, 2, t0)
	claim(t, box, "worker-a", t0, failed)
	must(t, box.MarkFailed(ctx(t), failed, "worker-a", "refused", t0))
	suppressed := discard(t, box, 3, "rate_limited", t0)
	for name, id := range map[string]string{"sending": sending, "sent": sent, "failed": failed, "suppressed": suppressed} {
		t.Run(name, func(t *testing.T) {
			before := get(t, box, id)
			if err := box.Release(ctx(t), id, at); !errors.Is(err, ports.ErrMessageNotFound) {
				t.Errorf("Release of a %s message: got %v, want ErrMessageNotFound", name, err)
			}
			checkEnvelope(t, get(t, box, id), before)
		})
	}
	got, err := box.Claim(ctx(t), "worker-b", at, lease)
	expectNothingDue(t, got, err)
}

// testReleaseUnknown: releasing an id that is not in the outbox says so.
func testReleaseUnknown(t *testing.T, box ports.Outbox) {
	gone := add(t, box, 0, t0.Add(time.Minute))
	must(t, box.Delete(ctx(t), gone))
	for _, id := range []string{gone, "no-such-id", "", "65a1b2c3d4e5f60718293a4c"} {
		if err := box.Release(ctx(t), id, t0); !errors.Is(err, ports.ErrMessageNotFound) {
			t.Errorf("Release(%q): got %v, want ErrMessageNotFound", id, err)
		}
	}
	got, err := box.Claim(ctx(t), "worker-a", t0.Add(time.Hour), lease)
	expectNothingDue(t, got, err)
}
