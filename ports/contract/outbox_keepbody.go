package contract

import (
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testLimitedKeepBody checks LimitedMessage.KeepBody (issue 18 item 8): a message
// stored suppressed, by Suppress or by a limit without room, keeps its subject and
// bodies as a pending one does, so that a message that never goes out is the same
// write as one that does; it is never claimed, and it goes at the purge. Without
// KeepBody the body is erased (testLimitedSuppress).
func testLimitedKeepBody(t *testing.T, box ports.Outbox) {
	limits := linkLimits(9, 3, 10)
	kept := func(n int, refused int, at time.Time, reason string) {
		t.Helper()
		m := message(n)
		id, got, err := box.AddLimited(ctx(t), ports.LimitedMessage{Message: m, Limits: limits, Suppress: strangerReason, KeepBody: true}, at)
		if err != nil || got != refused {
			t.Fatalf("AddLimited of message %d with KeepBody: refused by %d, %v; want %d", n, got, err, refused)
		}
		want := ports.Envelope{ID: id, Message: m, State: ports.StateSuppressed, CreatedAt: at, FinishedAt: at, LastError: reason}
		env := get(t, box, id)
		want.NextAttemptAt = env.NextAttemptAt // the adapter's business: it is never due
		checkEnvelope(t, env, want)
	}
	kept(0, -1, t0, strangerReason)
	for _, l := range limits {
		latestEvent(t, box, l.Key, t0)
	}
	kept(1, 0, t0.Add(time.Second), cooldownReason) // refused by the cooldown: the body stays all the same
	got, err := box.Claim(ctx(t), "worker-a", t0.Add(48*time.Hour), lease)
	expectNothingDue(t, got, err)
	n, err := box.Purge(ctx(t), t0.Add(72*time.Hour)) // past the events the first one carries
	must(t, err)
	if n != 2 {
		t.Fatalf("Purge removed %d messages kept with their bodies; want 2", n)
	}
}
