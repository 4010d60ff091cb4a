package contract

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Reasons of the sample limits, as the domain would give them.
const (
	cooldownReason = "cooldown"
	dailyReason    = "daily_cap"
	globalReason   = "global_cap"
	strangerReason = "unknown_user"
)

// testAddLimited runs the cases of AddLimited and LatestEvent, each on an outbox of
// its own.
func testAddLimited(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	t.Run("Room", func(t *testing.T) { testLimitedRoom(t, newOutbox(t)) })
	t.Run("Refused", func(t *testing.T) { testLimitedRefused(t, newOutbox(t)) })
	t.Run("FirstRefused", func(t *testing.T) { testLimitedFirstRefused(t, newOutbox(t)) })
	t.Run("Suppress", func(t *testing.T) { testLimitedSuppress(t, newOutbox(t)) })
	t.Run("KeepBody", func(t *testing.T) { testLimitedKeepBody(t, newOutbox(t)) })
	t.Run("Window", func(t *testing.T) { testLimitedWindow(t, newOutbox(t)) })
	t.Run("BadLimits", func(t *testing.T) { testLimitedBadLimits(t, newOutbox(t)) })
	t.Run("LatestEvent", func(t *testing.T) { testLatestEvent(t, newOutbox(t)) })
	t.Run("Race", func(t *testing.T) { testLimitedRace(t, newOutbox(t)) })
	t.Run("RecordOnly", func(t *testing.T) { testLimitedRecordOnly(t, newOutbox(t)) })
	t.Run("RecordOnlyRace", func(t *testing.T) { testLimitedRecordOnlyRace(t, newOutbox(t)) })
}

// TestAddLimitedCapRace checks that a cap above 1 is exact under racing callers of
// AddLimited, as the port promises of every store. It stands apart from TestOutbox
// only until every store's AddLimited is one atomic write (issue 17): the MongoDB
// outbox's stand-in counts with a limiter that reads, then inserts, and overshoots.
// Each store calls it once it passes; then it joins TestOutbox.
func TestAddLimitedCapRace(t *testing.T, newOutbox func(*testing.T) ports.Outbox) {
	testLimitedCapRace(t, newOutbox(t))
}

// linkLimits are the limits of a link request to user n: a cooldown of a minute,
// a daily cap and an hourly cap all share.
func linkLimits(n, daily, hourly int) []ports.Limit {
	return []ports.Limit{
		{Key: fmt.Sprint("cool:", n), Max: 1, Window: time.Minute, Reason: cooldownReason},
		{Key: fmt.Sprint("day:", n), Max: daily, Window: 24 * time.Hour, Reason: dailyReason},
		{Key: "all", Max: hourly, Window: time.Hour, Reason: globalReason},
	}
}

// addLimited stores message n with limits at now, and checks which limit refused
// it (-1: none) and how it was stored: pending, or suppressed with the reason.
func addLimited(t *testing.T, box ports.Outbox, n int, m ports.LimitedMessage, now time.Time, refused int) string {
	t.Helper()
	m.Message = message(n)
	id, got, err := box.AddLimited(ctx(t), m, now)
	if err != nil {
		t.Fatalf("AddLimited of message %d at %v: %v", n, now, err)
	}
	if got != refused {
		t.Fatalf("AddLimited of message %d at %v refused by limit %d; want %d", n, now, got, refused)
	}
	env := get(t, box, id)
	want := ports.Envelope{ID: id, Message: message(n), State: ports.StatePending, CreatedAt: now, NextAttemptAt: now}
	reason := m.Suppress
	if refused >= 0 {
		reason = m.Limits[refused].Reason
	}
	if reason != "" {
		want.State, want.FinishedAt, want.LastError = ports.StateSuppressed, now, reason
		want.NextAttemptAt = env.NextAttemptAt // the adapter's business: it is never due
		erase(&want)
	}
	checkEnvelope(t, env, want)
	return id
}

// latestEvent checks LatestEvent of key.
func latestEvent(t *testing.T, box ports.Outbox, key string, want time.Time) {
	t.Helper()
	got, err := box.LatestEvent(ctx(t), key)
	must(t, err)
	if !sameTime(got, want) || got.IsZero() != want.IsZero() {
		t.Fatalf("LatestEvent(%q) = %v; want %v", key, got, want)
	}
}

// testLimitedRoom: with room in every limit, the message is pending and due at
// once, and every key counts an event at now.
func testLimitedRoom(t *testing.T, box ports.Outbox) {
	limits := linkLimits(1, 3, 10)
	id := addLimited(t, box, 0, ports.LimitedMessage{Limits: limits}, t0, -1)
	for _, l := range limits {
		latestEvent(t, box, l.Key, t0)
	}
	claim(t, box, "worker-a", t0, id) // due at once
	addLimited(t, box, 1, ports.LimitedMessage{Limits: linkLimits(2, 3, 10)}, t0, -1)
	addLimited(t, box, 2, ports.LimitedMessage{}, t0.Add(time.Second), -1) // no limits: a plain Add
	checkStats(t, box, [4]int{2, 1, 0, 0}, t0)
}

// testLimitedRefused: a limit without room counts nothing on any key, and the
// message is stored suppressed with that limit's reason.
func testLimitedRefused(t *testing.T, box ports.Outbox) {
	limits := linkLimits(1, 3, 10)
	addLimited(t, box, 0, ports.LimitedMessage{Limits: limits}, t0, -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: limits}, t0.Add(time.Second), 0)
	for _, l := range limits {
		latestEvent(t, box, l.Key, t0)
	}
	// The refused one did not use up the daily cap: two more after the cooldowns.
	addLimited(t, box, 2, ports.LimitedMessage{Limits: limits}, t0.Add(time.Minute), -1)
	addLimited(t, box, 3, ports.LimitedMessage{Limits: limits}, t0.Add(2*time.Minute), -1)
	addLimited(t, box, 4, ports.LimitedMessage{Limits: limits}, t0.Add(3*time.Minute), 1)
	latestEvent(t, box, limits[0].Key, t0.Add(2*time.Minute)) // the cooldown had room, yet counts nothing
	latestEvent(t, box, "all", t0.Add(2*time.Minute))
	checkStats(t, box, [4]int{3, 0, 0, 0}, t0)
}

// testLimitedFirstRefused: of several limits without room, the first in the order
// given names the reason.
func testLimitedFirstRefused(t *testing.T, box ports.Outbox) {
	addLimited(t, box, 0, ports.LimitedMessage{Limits: linkLimits(1, 1, 2)}, t0, -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: linkLimits(1, 1, 2)}, t0.Add(time.Second), 0)
	addLimited(t, box, 2, ports.LimitedMessage{Limits: linkLimits(1, 1, 2)[1:]}, t0.Add(time.Second), 0)
	addLimited(t, box, 3, ports.LimitedMessage{Limits: linkLimits(2, 1, 2)}, t0.Add(2*time.Second), -1)
	addLimited(t, box, 4, ports.LimitedMessage{Limits: linkLimits(3, 1, 2)}, t0.Add(3*time.Second), 2)
	latestEvent(t, box, "cool:3", time.Time{})
	latestEvent(t, box, "day:3", time.Time{})
}

// testLimitedSuppress: a message to be suppressed counts like one that goes out,
// and is stored suppressed with its own reason; a limit without room names its
// reason instead.
func testLimitedSuppress(t *testing.T, box ports.Outbox) {
	limits := linkLimits(7, 3, 10)
	addLimited(t, box, 0, ports.LimitedMessage{Limits: limits, Suppress: strangerReason}, t0, -1)
	for _, l := range limits {
		latestEvent(t, box, l.Key, t0)
	}
	addLimited(t, box, 1, ports.LimitedMessage{Limits: limits, Suppress: strangerReason}, t0.Add(time.Second), 0)
	got, err := box.Claim(ctx(t), "worker-a", t0.Add(48*time.Hour), lease)
	expectNothingDue(t, got, err)
}

// testLimitedWindow: events leave the window (now-Window, now]: room comes back
// exactly one window after an event.
func testLimitedWindow(t *testing.T, box ports.Outbox) {
	cool := []ports.Limit{{Key: "cool", Max: 1, Window: time.Minute, Reason: cooldownReason}}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: cool}, t0, -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: cool}, t0.Add(time.Minute-time.Millisecond), 0)
	addLimited(t, box, 2, ports.LimitedMessage{Limits: cool}, t0.Add(time.Minute), -1)
	latestEvent(t, box, "cool", t0.Add(time.Minute))
}

// testLimitedBadLimits: limits that make no sense are refused as a write: an error
// wrapping ErrWriteRefused, and nothing stored or counted.
func testLimitedBadLimits(t *testing.T, box ports.Outbox) {
	for name, limits := range badLimits {
		t.Run(name, func(t *testing.T) {
			_, _, err := box.AddLimited(ctx(t), ports.LimitedMessage{Message: message(0), Limits: limits}, t0)
			if !errors.Is(err, ports.ErrWriteRefused) {
				t.Fatalf("AddLimited = %v; want an error wrapping ErrWriteRefused", err)
			}
			latestEvent(t, box, "a", time.Time{})
			latestEvent(t, box, "b", time.Time{})
			checkStats(t, box, [4]int{}, time.Time{})
		})
	}
}

// testLatestEvent: the newest event of a key, whichever message counted it; zero
// for a key without events; keys apart.
func testLatestEvent(t *testing.T, box ports.Outbox) {
	latestEvent(t, box, "k", time.Time{})
	day := func(key string) []ports.Limit {
		return []ports.Limit{{Key: key, Max: 5, Window: 24 * time.Hour, Reason: dailyReason}}
	}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: day("k")}, t0, -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: day("k"), Suppress: strangerReason}, t0.Add(time.Minute), -1)
	addLimited(t, box, 2, ports.LimitedMessage{Limits: day("other")}, t0.Add(time.Hour), -1)
	latestEvent(t, box, "k", t0.Add(time.Minute))
	latestEvent(t, box, "other", t0.Add(time.Hour))
	latestEvent(t, box, "k:", time.Time{})
}

// testLimitedRace: of many callers racing on a cooldown and a cap they share, in
// each round exactly one message is pending and counted; the others are suppressed
// with the cooldown's reason, and count on no key.
func testLimitedRace(t *testing.T, box ports.Outbox) {
	const racers, w = 8, time.Minute
	limits := []ports.Limit{{Key: "race", Max: 1, Window: w, Reason: cooldownReason},
		{Key: "cap", Max: 100, Window: 24 * time.Hour, Reason: dailyReason}}
	for round, at := range []time.Duration{0, w, 3 * w} { // a first event, then after each cooldown
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			refused := race(t, box, racers, limits, t0.Add(at))
			if refused[-1] != 1 || refused[0] != racers-1 {
				t.Fatalf("%v racing callers by refusing limit (-1: none); want 1 allowed, %d refused by the cooldown", refused, racers-1)
			}
		})
	}
	// The cap holds the three winners' events and no loser's: room for one more of 4.
	capped := []ports.Limit{{Key: "cap", Max: 4, Window: time.Hour, Reason: dailyReason}}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: capped}, t0.Add(4*w), -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: capped}, t0.Add(4*w), 0)
}

// testLimitedCapRace: a cap above 1 is exact too: of many callers racing for its
// last places, exactly as many as it has room for are counted.
func testLimitedCapRace(t *testing.T, box ports.Outbox) {
	const racers = 12
	limits := []ports.Limit{{Key: "cap", Max: 5, Window: time.Hour, Reason: dailyReason}}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: limits}, t0, -1)
	refused := race(t, box, racers, limits, t0.Add(time.Second))
	if refused[-1] != 4 || refused[0] != racers-4 {
		t.Fatalf("%v racing callers by refusing limit (-1: none); want 4 allowed (a cap of 5, 1 used), %d refused", refused, racers-4)
	}
	checkStats(t, box, [4]int{5, 0, 0, 0}, t0)
}

// race has n callers store a message with limits at once, and counts them by the
// limit that refused them (-1: none). Each message is checked as addLimited does.
func race(t *testing.T, box ports.Outbox, n int, limits []ports.Limit, at time.Time) map[int]int {
	t.Helper()
	ids, refused, errs := make([]string, n), make([]int, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ids[i], refused[i], errs[i] = box.AddLimited(ctx(t), ports.LimitedMessage{Message: message(i), Limits: limits}, at)
		})
	}
	wg.Wait()
	count := map[int]int{}
	for i, err := range errs {
		must(t, err)
		count[refused[i]]++
		want := ports.StatePending
		if refused[i] >= 0 {
			want = ports.StateSuppressed
		}
		if env := get(t, box, ids[i]); env.State != want {
			t.Fatalf("racer %d refused by limit %d, stored %s; want %s", i, refused[i], env.State, want)
		}
	}
	return count
}

// badLimits are limits that make no sense, of keys "a" and "b", by what is wrong.
var badLimits = map[string][]ports.Limit{
	"max 0":          {{Key: "a", Max: 1, Window: time.Hour}, {Key: "b", Max: 0, Window: time.Hour}},
	"no window":      {{Key: "a", Max: 1, Window: time.Hour}, {Key: "b", Max: 1}},
	"same key twice": {{Key: "a", Max: 1, Window: time.Hour}, {Key: "a", Max: 5, Window: time.Hour}},
}
