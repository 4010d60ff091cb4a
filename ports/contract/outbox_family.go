package contract

import (
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// familyStats is what Stats should say: counts of ports.States, of the events
// and of the e-mails in ports.SplitStates, and the oldest unfinished message of
// all, of the events and of the e-mails as offsets from t0 (-1 for none).
type familyStats struct {
	all                         [5]int
	events, mail                [3]int
	oldest, oldestEv, oldestMsg time.Duration
}

// testStatsByFamily: Stats tells events (kind starting with ports.EventKindPrefix)
// from e-mails in every state, as messages are added, claimed, settled, deleted
// and purged; kinds that merely look like an event's are e-mails. MailWaiting
// counts the e-mails pending or being sent throughout.
func testStatsByFamily(t *testing.T, box ports.Outbox) {
	checkFamilies(t, box, familyStats{oldest: -1, oldestEv: -1, oldestMsg: -1})
	s := time.Second
	ids := map[string]string{}
	for i, m := range []struct {
		name, kind, state string
		created           time.Duration
	}{
		{"sent event", "event.reset_link.sent", ports.StateSent, 0},
		{"sent mail", "reset_link", ports.StateSent, s},
		{"failed event", "event.password.changed", ports.StateFailed, 2 * s},
		{"failed event 2", "event.password.changed", ports.StateFailed, 3 * s},
		{"failed mail", "breach_reset", ports.StateFailed, 4 * s},
		{"sending event", "event.reset_link.failed", ports.StateSending, 5 * s},
		{"sending mail", "event_digest", ports.StateSending, 6 * s}, // no dot: an e-mail's
		{"pending mail", "password_changed", ports.StatePending, 7 * s},
		{"pending mail 2", "eventual", ports.StatePending, 8 * s},
		{"pending event", "event.reset_link.sent", ports.StatePending, 9 * s},
		{"pending mail 3", "Event.password.changed", ports.StatePending, 10 * s}, // case counts: an e-mail's
	} {
		msg := message(i)
		msg.Kind = m.kind
		ids[m.name] = putMessage(t, box, msg, t0.Add(m.created), m.state, t0.Add(m.created+s))
	}
	for i, kind := range []string{"event.password.changed", "reset_link"} {
		msg := message(20 + i)
		msg.Kind = kind
		_, err := box.Discard(ctx(t), msg, unknownUser, t0.Add(time.Duration(11+i)*s))
		must(t, err)
	}
	t.Run("stored", func(t *testing.T) {
		checkFamilies(t, box, familyStats{all: [5]int{4, 2, 2, 3, 2}, events: [3]int{1, 1, 2}, mail: [3]int{3, 1, 1},
			oldest: 5 * s, oldestEv: 5 * s, oldestMsg: 6 * s})
	})
	must(t, box.MarkSent(ctx(t), ids["sending event"], "setup", "provider-x", t0.Add(20*s)))
	t.Run("event sent", func(t *testing.T) {
		checkFamilies(t, box, familyStats{all: [5]int{4, 1, 3, 3, 2}, events: [3]int{1, 0, 2}, mail: [3]int{3, 1, 1},
			oldest: 6 * s, oldestEv: 9 * s, oldestMsg: 6 * s})
	})
	claim(t, box, "worker", t0.Add(20*s), ids["pending mail"])
	must(t, box.MarkFailed(ctx(t), ids["pending mail"], "worker", "refused", t0.Add(21*s)))
	must(t, box.Delete(ctx(t), ids["failed event"]))
	t.Run("mail failed, event deleted", func(t *testing.T) {
		checkFamilies(t, box, familyStats{all: [5]int{3, 1, 3, 3, 2}, events: [3]int{1, 0, 1}, mail: [3]int{2, 1, 2},
			oldest: 6 * s, oldestEv: 9 * s, oldestMsg: 6 * s})
	})
	if _, err := box.Purge(ctx(t), t0.Add(time.Hour)); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	t.Run("purged", func(t *testing.T) {
		checkFamilies(t, box, familyStats{all: [5]int{3, 1, 0, 0, 0}, events: [3]int{1, 0, 0}, mail: [3]int{2, 1, 0},
			oldest: 6 * s, oldestEv: 9 * s, oldestMsg: 6 * s})
	})
}

func checkFamilies(t *testing.T, box ports.Outbox, want familyStats) {
	t.Helper()
	got, err := box.Stats(ctx(t))
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	checkCounts(t, "Counts", got.Counts, ports.States, want.all[:])
	checkCounts(t, "Events.Counts", got.Events.Counts, ports.SplitStates, want.events[:])
	checkCounts(t, "Mail.Counts", got.Mail.Counts, ports.SplitStates, want.mail[:])
	if n, err := box.MailWaiting(ctx(t)); err != nil || n != want.mail[0]+want.mail[1] {
		t.Errorf("MailWaiting = %d, %v; want %d, the e-mails pending or being sent", n, err, want.mail[0]+want.mail[1])
	}
	for _, o := range []struct {
		name string
		got  time.Time
		want time.Duration
	}{{"OldestPending", got.OldestPending, want.oldest}, {"Events.OldestPending", got.Events.OldestPending, want.oldestEv},
		{"Mail.OldestPending", got.Mail.OldestPending, want.oldestMsg}} {
		wantAt := time.Time{}
		if o.want >= 0 {
			wantAt = t0.Add(o.want)
		}
		if !sameTime(o.got, wantAt) {
			t.Errorf("Stats.%s = %v, want %v", o.name, o.got, wantAt)
		}
	}
}

// checkCounts compares counts, which must hold exactly states, zeros included.
func checkCounts(t *testing.T, name string, got map[string]int, states []string, want []int) {
	t.Helper()
	if len(got) != len(states) {
		t.Errorf("Stats.%s = %v: want exactly the states %v", name, got, states)
	}
	for i, state := range states {
		if n, ok := got[state]; !ok || n != want[i] {
			t.Errorf("Stats.%s[%s] = %d (present: %v), want %d", name, state, n, ok, want[i])
		}
	}
}
