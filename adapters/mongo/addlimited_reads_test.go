package mongo_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// readLog counts the documents the server returned to a client's finds and
// getMores: what the client read.
type readLog struct {
	mu   sync.Mutex
	docs int
}

func (l *readLog) succeeded(_ context.Context, e *event.CommandSucceededEvent) {
	if e.CommandName != "find" && e.CommandName != "getMore" {
		return
	}
	for _, batch := range []string{"firstBatch", "nextBatch"} {
		if arr, ok := e.Reply.Lookup("cursor", batch).ArrayOK(); ok {
			vals, _ := arr.Values()
			l.mu.Lock()
			l.docs += len(vals)
			l.mu.Unlock()
		}
	}
}

// take returns the documents read since the last take.
func (l *readLog) take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.docs
	l.docs = 0
	return n
}

// TestRecordOnlyLimitReadsNoEvents (issue 21, as on PostgreSQL): a limit of
// math.MaxInt32 events, which only records (the daily cap off, an operator's
// link), reads none of its key's events, however many there are, yet records
// its own: it counts toward a limit of the same key that counts. Before, each
// such call read every event of the key since the start of the previous epoch
// of its window, so a run of links to one user read quadratically many. Through
// mongotest.Serial, one command at a time, as MongoDB's single-document writes.
func TestRecordOnlyLimitReadsNoEvents(t *testing.T) {
	const events = 300
	key := "reset_link:user:u1"
	recordOnly := []ports.Limit{{Key: key, Max: math.MaxInt32, Window: 24 * time.Hour, Reason: "daily_cap"}}
	counting := []ports.Limit{{Key: key, Max: events + 2, Window: 24 * time.Hour, Reason: "daily_cap"}}
	_, uri := mongotest.Proxy(t)
	reads := &readLog{}
	client, err := driver.Connect(options.Client().ApplyURI(uri).
		SetMonitor(&event.CommandMonitor{Succeeded: reads.succeeded}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database(mongotest.NewDatabase(t).Name())
	box := prepareOutbox(t, db)
	limiter := prepareLimiter(t, db)

	add := func(n int, limits []ports.Limit, at time.Time) int {
		t.Helper()
		_, refused, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: sample(n), Limits: limits}, at)
		if err != nil {
			t.Fatal(err)
		}
		return refused
	}
	for i := range events {
		add(i, recordOnly, t0.Add(time.Duration(i)*time.Second))
		if _, _, err := limiter.Allow(testCtx(t), key, math.MaxInt32, time.Hour, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(events * time.Second)
	reads.take()
	if refused := add(events, recordOnly, now); refused != -1 {
		t.Fatalf("a record-only limit refused with limit %d", refused)
	}
	if n := reads.take(); n != 0 {
		t.Errorf("AddLimited with a record-only limit and %d events of its key read %d documents; want 0", events, n)
	}
	if ok, _, err := limiter.Allow(testCtx(t), key, math.MaxInt32, time.Hour, now); err != nil || !ok {
		t.Fatalf("Allow of a record-only limit = %v, %v; want true", ok, err)
	}
	if n := reads.take(); n != 0 {
		t.Errorf("Allow with a record-only limit and %d events of its key read %d documents; want 0", events, n)
	}
	latest, err := box.LatestEvent(testCtx(t), key)
	if err != nil || !latest.Equal(now) {
		t.Fatalf("LatestEvent = %v, %v; want the record-only event at %v", latest, err, now)
	}
	// The record-only events count: events+1 of them, then one that counts fits a
	// limit of events+2, and the next does not.
	reads.take()
	if refused := add(events+1, counting, now.Add(time.Second)); refused != -1 {
		t.Fatalf("the limit of %d refused after %d events", events+2, events+1)
	}
	if n := reads.take(); n < events {
		t.Errorf("a limit that counts read %d documents of %d events; the count measures nothing", n, events+1)
	}
	if refused := add(events+2, counting, now.Add(2*time.Second)); refused != 0 {
		t.Fatalf("the limit of %d had room after %d events (refused %d)", events+2, events+2, refused)
	}
}
