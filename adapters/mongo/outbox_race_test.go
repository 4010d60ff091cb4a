package mongo_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// claimed is one successful Claim, as its worker saw it.
type claimed struct {
	owner       string
	at, expires time.Time
}

// TestOutboxClaimers: workers of several processes (an Outbox on a client of its
// own each) loop Claim then MarkSent over one outbox until every message is sent.
// Each message is claimed once and sent once, by the worker that claimed it.
func TestOutboxClaimers(t *testing.T) {
	const messages, workers, lease = 30, 6, time.Minute
	db := mongotest.NewDatabase(t)
	first := prepareOutbox(t, db)
	start := time.Now()
	for i := range messages {
		mustAdd(t, first, i, start.Add(-time.Second))
	}

	var (
		mu     sync.Mutex
		claims = map[string][]claimed{} // by message id
		sends  = map[string][]string{}  // owners whose MarkSent succeeded, by message id
		done   atomic.Int32
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(time.Minute)
	for w := range workers {
		box := mongo.NewOutbox(sameDatabase(t, db), mongo.OutboxConfig{})
		owner := fmt.Sprint("worker-", w)
		wg.Go(func() {
			for done.Load() < messages && time.Now().Before(deadline) {
				now := time.Now()
				env, err := box.Claim(testCtx(t), owner, now, lease)
				if errors.Is(err, ports.ErrNothingDue) {
					time.Sleep(5 * time.Millisecond) // the others hold what is left, or are finishing it
					continue
				}
				if err != nil {
					t.Errorf("%s: Claim: %v", owner, err)
					return
				}
				mu.Lock()
				claims[env.ID] = append(claims[env.ID], claimed{owner, now, env.LeaseExpires})
				mu.Unlock()
				if err = box.MarkSent(testCtx(t), env.ID, owner, "p-"+owner, time.Now()); err != nil {
					t.Errorf("%s: MarkSent(%s): %v", owner, env.ID, err)
					continue
				}
				mu.Lock()
				sends[env.ID] = append(sends[env.ID], owner)
				mu.Unlock()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("%d messages sent by %d workers in %s", done.Load(), workers, time.Since(start).Round(time.Millisecond))

	perWorker := map[string]int{}
	for id, cs := range claims {
		for i := 1; i < len(cs); i++ {
			if cs[i].at.Before(cs[i-1].expires) {
				t.Errorf("message %s claimed by %s while %s held it", id, cs[i].owner, cs[i-1].owner)
			}
		}
		perWorker[cs[0].owner]++
	}
	t.Logf("claims per worker: %v", perWorker)
	stats, err := first.Stats(testCtx(t))
	if err != nil || stats.Counts[ports.StateSent] != messages || len(claims) != messages {
		t.Errorf("Stats = %+v, %v, %d messages claimed; want all %d claimed and sent", stats, err, len(claims), messages)
	}
	for id, cs := range claims {
		if len(cs) != 1 || len(sends[id]) != 1 || sends[id][0] != cs[0].owner {
			t.Errorf("message %s: claims %v, sent by %v; want one claim, and one send by its owner", id, cs, sends[id])
			continue
		}
		env, err := first.Get(testCtx(t), id)
		if err != nil || env.State != ports.StateSent || env.Attempts != 1 || env.ProviderID != "p-"+cs[0].owner {
			t.Errorf("message %s stored as %+v, %v; want sent at attempt 1 by %s", id, env, err, cs[0].owner)
		}
	}
}
