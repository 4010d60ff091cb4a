package contract

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// testChosenID runs the cases of ids a caller chooses (ports.Message.ID): stored
// under that id once, however often or however concurrently it is added, and
// settled by it.
func testChosenID(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("AddTwice", func(t *testing.T) { testChosenAddTwice(t, newOutbox(t)) })
	t.Run("Delete", func(t *testing.T) { testChosenDelete(t, newOutbox(t)) })
	t.Run("Release", func(t *testing.T) { testChosenRelease(t, newOutbox(t)) })
	t.Run("Race", func(t *testing.T) { testChosenRace(t, newOutbox(t)) })
	t.Run("AddLimited", func(t *testing.T) { testChosenLimited(t, newOutbox(t)) })
	t.Run("Bad", func(t *testing.T) { testChosenBad(t, newOutbox(t)) })
}

// chosen is message n under the id a caller chose.
func chosen(n int, id string) ports.Message {
	m := message(n)
	m.ID = id
	return m
}

// testChosenAddTwice: a second Add of one id stores nothing, changes nothing, and
// returns the id.
func testChosenAddTwice(t *testing.T, box ports.Outbox) {
	const id = "held_0123456789abcdef"
	for i, now := range []time.Time{t0, t0.Add(time.Minute)} {
		got, err := box.Add(ctx(t), chosen(i, id), now)
		if err != nil || got != id {
			t.Fatalf("Add #%d with id %s = %q, %v; want the id", i, id, got, err)
		}
	}
	checkEnvelope(t, get(t, box, id), ports.Envelope{ID: id, Message: message(0), State: ports.StatePending,
		CreatedAt: t0, NextAttemptAt: t0})
	if n := countAll(t, box); n != 1 {
		t.Fatalf("the outbox holds %d messages after two adds of one id; want 1", n)
	}
}

// testChosenDelete: the chosen id withdraws the message, whichever add stored it.
func testChosenDelete(t *testing.T, box ports.Outbox) {
	const id = "held-delete-1"
	for range 2 {
		if _, err := box.Add(ctx(t), chosen(0, id), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	must(t, box.Delete(ctx(t), id))
	if _, err := box.Get(ctx(t), id); !errors.Is(err, ports.ErrMessageNotFound) {
		t.Fatalf("Get after Delete: %v; want ErrMessageNotFound", err)
	}
	got, err := box.Claim(ctx(t), "worker-a", t0.Add(time.Hour), lease)
	expectNothingDue(t, got, err)
}

// testChosenRelease: the chosen id releases a held message.
func testChosenRelease(t *testing.T, box ports.Outbox) {
	const id = "held-release-1"
	if _, err := box.Add(ctx(t), chosen(1, id), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	must(t, box.Release(ctx(t), id, t0))
	claim(t, box, "worker-a", t0, id)
}

// testChosenRace: callers racing to add one id store one message.
func testChosenRace(t *testing.T, box ports.Outbox) {
	const id = "retry_race_0001"
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			got, err := box.Add(ctx(t), chosen(2, id), t0)
			if err == nil && got != id {
				err = errors.New("returned id " + got)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	must(t, errors.Join(errs...))
	if n := countAll(t, box); n != 1 {
		t.Fatalf("the outbox holds %d messages after 8 racing adds of one id; want 1", n)
	}
}

// testChosenLimited: AddLimited with an id it holds stores and counts nothing new.
func testChosenLimited(t *testing.T, box ports.Outbox) {
	const id = "retry_limited_1"
	lim := []ports.Limit{{Key: "chosen-daily", Max: 5, Window: 24 * time.Hour, Reason: dailyReason}}
	for i := range 2 {
		got, refused, err := box.AddLimited(ctx(t), ports.LimitedMessage{Message: chosen(3, id), Limits: lim}, t0.Add(time.Duration(i)*time.Second))
		if err != nil || got != id || refused != -1 {
			t.Fatalf("AddLimited #%d = %q, %d, %v; want %s, -1, nil", i, got, refused, err, id)
		}
	}
	if n := countAll(t, box); n != 1 {
		t.Fatalf("the outbox holds %d messages after two AddLimited of one id; want 1", n)
	}
	latest, err := box.LatestEvent(ctx(t), "chosen-daily")
	if err != nil || !latest.Equal(t0) {
		t.Fatalf("LatestEvent = %v, %v; want %v: the second add counted again", latest, err, t0)
	}
}

// testChosenBad: an id a store could give out is refused, and nothing is stored.
func testChosenBad(t *testing.T, box ports.Outbox) {
	for _, id := range []string{"42", "0123456789abcdef01234567", "short_", "no spaces_here", "abcdefghij"} {
		if _, err := box.Add(ctx(t), chosen(0, id), t0); !errors.Is(err, ports.ErrBadMessageID) {
			t.Errorf("Add with id %q: %v; want ErrBadMessageID", id, err)
		}
	}
	if n := countAll(t, box); n != 0 {
		t.Fatalf("the outbox holds %d messages after bad ids; want 0", n)
	}
}

// countAll is how many messages box holds, in any state.
func countAll(t *testing.T, box ports.Outbox) int {
	t.Helper()
	st, err := box.Stats(ctx(t))
	must(t, err)
	n := 0
	for _, c := range st.Counts {
		n += c
	}
	return n
}
