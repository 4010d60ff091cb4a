package mongo_test

import (
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestPurgeKeepsCountedMessages: a finished message whose limit events still
// count stays through a Purge whose cutoff it finished before, so that purging
// never lifts a limit early; once its events no longer count it goes.
func TestPurgeKeepsCountedMessages(t *testing.T) {
	box := newOutbox(t)
	daily := []ports.Limit{{Key: "reset_link:user:dora", Max: 1, Window: 24 * time.Hour, Reason: "daily_cap"}}
	counted, _, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: sample(1), Limits: daily, Suppress: "unknown_user"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := box.Discard(testCtx(t), sample(2), "cooldown", t0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := box.Purge(testCtx(t), t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("Purge an hour later = %d, %v; want 1 (the message that counts nothing)", n, err)
	}
	if _, err := box.Get(testCtx(t), plain); err == nil {
		t.Fatal("the message that counts nothing survived the purge")
	}
	if _, refused, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: sample(3), Limits: daily}, t0.Add(2*time.Hour)); err != nil || refused != 0 {
		t.Fatalf("AddLimited after the purge = %d, %v; want refused by the daily cap, still counted", refused, err)
	}
	if n, err := box.Purge(testCtx(t), t0.Add(72*time.Hour)); err != nil || n != 2 {
		t.Fatalf("Purge three days later = %d, %v; want 2", n, err)
	}
	if _, err := box.Get(testCtx(t), counted); err == nil {
		t.Fatal("the counted message outlived its events")
	}
}

// TestReleaseLeavesClaimAlone: a held message is released while a worker claims
// it. Whichever comes first, a claimed message stays claimed: Release, filtered on
// the state pending, never turns it back (issue 17: on FerretDB alone, Release
// rewrote the whole document it had read, and undid a concurrent claim).
func TestReleaseLeavesClaimAlone(t *testing.T) {
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	other := prepareOutbox(t, sameDatabase(t, db))
	const rounds, lease = 20, time.Minute
	for i := range rounds {
		id := mustAdd(t, box, i, t0)
		var env ports.Envelope
		var claimErr error
		var wg sync.WaitGroup
		wg.Go(func() { env, claimErr = box.Claim(testCtx(t), "w", t0.Add(time.Second), lease) })
		wg.Go(func() { _ = other.Release(testCtx(t), id, t0.Add(time.Second)) })
		wg.Wait()
		if claimErr != nil || env.ID != id {
			t.Fatalf("round %d: Claim = %+v, %v", i, env, claimErr)
		}
		doc := rawMessage(t, db, id)
		if state := doc.Lookup("state").StringValue(); state != ports.StateSending ||
			doc.Lookup("next_attempt_at").Time().UTC() != t0.Add(time.Second+lease) {
			t.Fatalf("round %d: a claimed message stored as %s; want sending, due when its lease ends", i, doc)
		}
		if err := box.MarkSent(testCtx(t), id, "w", "p", t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
}
