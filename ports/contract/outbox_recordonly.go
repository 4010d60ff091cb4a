package contract

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// recordOnly is a daily limit of key that only records (ports.Limit.RecordsOnly),
// as the use cases give the daily cap when it is off, and an operator's link.
func recordOnly(key string) ports.Limit {
	return ports.Limit{Key: key, Max: math.MaxInt32, Window: 24 * time.Hour, Reason: dailyReason}
}

// testLimitedRecordOnly: a limit that only records never refuses, yet records its
// event, which LatestEvent finds and a limit of the same key that counts counts;
// refused by another limit, it records nothing, as any limit.
func testLimitedRecordOnly(t *testing.T, box ports.Outbox) {
	capped := func(max int) []ports.Limit {
		return []ports.Limit{{Key: "day", Max: max, Window: 24 * time.Hour, Reason: dailyReason}}
	}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: capped(1)}, t0, -1)
	addLimited(t, box, 1, ports.LimitedMessage{Limits: []ports.Limit{recordOnly("day")}}, t0.Add(time.Second), -1)
	addLimited(t, box, 2, ports.LimitedMessage{Limits: []ports.Limit{recordOnly("day")}, Suppress: strangerReason}, t0.Add(2*time.Second), -1)
	latestEvent(t, box, "day", t0.Add(2*time.Second))
	addLimited(t, box, 3, ports.LimitedMessage{Limits: capped(3)}, t0.Add(3*time.Second), 0) // three events of "day"
	addLimited(t, box, 4, ports.LimitedMessage{Limits: capped(4)}, t0.Add(4*time.Second), -1)
	cool := ports.Limit{Key: "cool", Max: 1, Window: time.Minute, Reason: cooldownReason}
	addLimited(t, box, 5, ports.LimitedMessage{Limits: []ports.Limit{cool, recordOnly("day")}}, t0.Add(5*time.Second), -1)
	addLimited(t, box, 6, ports.LimitedMessage{Limits: []ports.Limit{cool, recordOnly("day")}}, t0.Add(6*time.Second), 0)
	latestEvent(t, box, "day", t0.Add(5*time.Second))
	addLimited(t, box, 7, ports.LimitedMessage{Limits: capped(5)}, t0.Add(7*time.Second), 0) // five: the refused one counts not
}

// testLimitedRecordOnlyRace: callers that only record, racing with callers of a
// cap on the same key, are all let in, and the cap stays exact: no caller of it
// is let in once the key holds Max events, so at most Max - 1 of them (one event
// is there before), and at least one, which no event came before.
func testLimitedRecordOnlyRace(t *testing.T, box ports.Outbox) {
	const racers, max = 8, 4
	capped := []ports.Limit{{Key: "day", Max: max, Window: 24 * time.Hour, Reason: dailyReason}}
	addLimited(t, box, 0, ports.LimitedMessage{Limits: capped}, t0, -1)
	at := t0.Add(time.Second)
	refused := make([]int, 2*racers)
	errs := make([]error, 2*racers)
	var wg sync.WaitGroup
	for i := range 2 * racers {
		limits := capped
		if i%2 == 1 {
			limits = []ports.Limit{recordOnly("day")}
		}
		wg.Go(func() {
			_, refused[i], errs[i] = box.AddLimited(ctx(t), ports.LimitedMessage{Message: message(i + 1), Limits: limits}, at)
		})
	}
	wg.Wait()
	in := 0
	for i, err := range errs {
		must(t, err)
		switch {
		case i%2 == 1 && refused[i] != -1:
			t.Fatalf("a caller that only records was refused by limit %d", refused[i])
		case i%2 == 0 && refused[i] == -1:
			in++
		}
	}
	if in < 1 || in > max-1 {
		t.Fatalf("%d callers of a cap of %d with 1 event let in, racing with %d that only record; want 1 to %d", in, max, racers, max-1)
	}
	addLimited(t, box, 2*racers+1, ports.LimitedMessage{Limits: capped}, at, 0) // full: 1 + in + racers events
}
