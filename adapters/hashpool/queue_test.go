package hashpool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/ports"
)

// fill admits size requests that each start a hash, which g holds, and returns once
// all of them are hashing; done ends when they have finished.
func fill(t *testing.T, p *hashpool.Pool, g *gated, size int) (done *sync.WaitGroup) {
	t.Helper()
	done = &sync.WaitGroup{}
	for range size {
		release, err := p.Admit(context.Background())
		if err != nil {
			t.Fatalf("admit with free slots: %v", err)
		}
		done.Go(func() {
			defer release()
			_, _ = p.Hash("pw")
		})
	}
	waitFor(t, func() bool { return int(g.running.Load()) == size })
	return done
}

// waitFor yields until cond holds. It bounds nothing: a test that never gets there
// is stopped by go test's own timeout.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestAbandonedRequestsNeverHash: requests that wait for a slot while every slot
// hashes, and whose clients leave, give up their place: once the slots come free,
// none of them hashes (issue 18: 120 abandoned resets computed 83 hashes).
func TestAbandonedRequestsNeverHash(t *testing.T) {
	const size, queued = 2, 10
	g := &gated{gate: make(chan struct{})}
	p := hashpool.New(g, size, hashpool.MaxWait(time.Hour))
	done := fill(t, p, g, size)

	var waiting sync.WaitGroup
	cancels := make([]context.CancelFunc, queued)
	errs := make(chan error, queued)
	for i := range queued {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		waiting.Go(func() {
			release, err := p.Admit(ctx)
			if err == nil { // admitted: it would hash
				_, _ = p.Hash("pw")
				release()
			}
			errs <- err
		})
	}
	waitFor(t, func() bool { return p.Waiting() == queued })
	for _, cancel := range cancels {
		cancel()
	}
	waiting.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("an abandoned request got %v, want context.Canceled", err)
		}
	}
	if n := p.Waiting(); n != 0 {
		t.Errorf("%d still waiting", n)
	}
	close(g.gate)
	done.Wait()
	if n := g.calls.Load(); n != size {
		t.Errorf("%d hashes computed, want %d: abandoned requests hashed", n, size)
	}
	// The places were given back: a new request is admitted at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an admission that had to wait would fail
	if _, err := p.Admit(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a gone client admitted: %v", err)
	}
	release, err := p.Admit(context.Background())
	if err != nil {
		t.Fatalf("admit once the slots are free: %v", err)
	}
	release()
}

// TestWaitIsBounded: with every slot taken, a request waits at most MaxWait, then
// gets ports.ErrHasherBusy, and its place goes.
func TestWaitIsBounded(t *testing.T) {
	g := &gated{gate: make(chan struct{})}
	p := hashpool.New(g, 1, hashpool.MaxWait(time.Millisecond))
	done := fill(t, p, g, 1)
	// Nothing frees the slot while it waits: only the bound can end the wait.
	if _, err := p.Admit(context.Background()); !errors.Is(err, ports.ErrHasherBusy) {
		t.Errorf("Admit with every slot held: %v, want ports.ErrHasherBusy", err)
	}
	if n := p.Waiting(); n != 0 {
		t.Errorf("%d still waiting", n)
	}
	close(g.gate)
	done.Wait()
	if n := g.calls.Load(); n != 1 {
		t.Errorf("%d hashes, want 1", n)
	}
}

// TestAdmittedRequestsHashWithoutWaiting: admissions are the slots' owners: no more
// requests are admitted than hashes may run, so an admitted one never queues twice.
func TestAdmittedRequestsHashWithoutWaiting(t *testing.T) {
	const size = 3
	g := &gated{gate: make(chan struct{})}
	p := hashpool.New(g, size, hashpool.MaxWait(time.Millisecond))
	done := fill(t, p, g, size)
	if _, err := p.Admit(context.Background()); !errors.Is(err, ports.ErrHasherBusy) {
		t.Errorf("admitted past %d requests: %v", size, err)
	}
	close(g.gate)
	done.Wait()
	if m := g.max.Load(); m != size {
		t.Errorf("%d hashes at once, want %d", m, size)
	}
}
