package health_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// store is a Pinger that counts its pings, and fails or hangs on demand.
type store struct {
	pings atomic.Int32
	err   error
	hang  chan struct{} // when set, Ping waits on it, ignoring its context
}

func (s *store) Ping(context.Context) error {
	s.pings.Add(1)
	if s.hang != nil {
		<-s.hang
	}
	return s.err
}

func newReadiness(s ports.Pinger, timeout time.Duration) (*health.Readiness, *portstest.Clock) {
	c := portstest.NewClock(time.Unix(1_700_000_000, 0))
	return health.NewReadiness(s, "MongoDB", timeout, time.Second, c), c
}

// probes runs n probes at once and returns their results.
func probes(r *health.Readiness, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = r.Ping(context.Background()) })
	}
	wg.Wait()
	return errs
}

func TestNoStoreIsAlwaysReady(t *testing.T) {
	r, _ := newReadiness(nil, time.Second)
	if err := r.Ping(context.Background()); err != nil {
		t.Errorf("demo mode not ready: %v", err)
	}
}

func TestStoreIsPingedOncePerCachePeriod(t *testing.T) {
	s := &store{}
	r, c := newReadiness(s, 5*time.Second)
	for _, err := range probes(r, 20) {
		if err != nil {
			t.Errorf("not ready with a healthy store: %v", err)
		}
	}
	probes(r, 5)
	if n := s.pings.Load(); n != 1 {
		t.Errorf("25 probes in one period pinged %d times, want 1", n)
	}
	c.Add(time.Second)
	probes(r, 5)
	if n := s.pings.Load(); n != 2 {
		t.Errorf("after the period: %d pings in all, want 2", n)
	}
}

func TestFailingStoreIsNotReadyWithAShortReason(t *testing.T) {
	secret := errors.New("connection refused to mongodb://admin:hunter2@db:27017")
	s := &store{err: secret}
	r, c := newReadiness(s, 5*time.Second)
	for _, err := range probes(r, 10) {
		var nr *health.NotReady
		if !errors.As(err, &nr) || nr.Reason != "MongoDB ping failed" || !errors.Is(err, secret) {
			t.Errorf("probe of a failing store: %v, want NotReady %q wrapping the cause", err, "MongoDB ping failed")
		}
	}
	if n := s.pings.Load(); n != 1 {
		t.Errorf("a failing store was pinged %d times in one period, want 1", n)
	}
	s.err = nil
	c.Add(time.Second)
	if err := r.Ping(context.Background()); err != nil {
		t.Errorf("store recovered, still not ready: %v", err)
	}
}

// A store that hangs for 30 s (ignoring its context, the worst case) must not hold
// a probe beyond the timeout, nor be pinged again while its ping is in flight.
func TestHangingStoreIsNotReadyWithinTheTimeout(t *testing.T) {
	s := &store{hang: make(chan struct{})}
	release := time.AfterFunc(30*time.Second, func() { close(s.hang) })
	r, c := newReadiness(s, 100*time.Millisecond)
	results := make(chan []error, 1)
	go func() { results <- probes(r, 10) }()
	select {
	case errs := <-results:
		for _, err := range errs {
			var nr *health.NotReady
			if !errors.As(err, &nr) || nr.Reason != "MongoDB did not answer a ping within 100ms" {
				t.Errorf("probe of a hanging store: %v", err)
			}
		}
	case <-time.After(20 * time.Second): // well before the store answers at 30 s
		t.Fatal("probes wait for a hanging store")
	}
	// Long past the cache period, the ping in flight still counts; older than the
	// timeout, it has probes answer at once.
	c.Add(time.Hour)
	for _, err := range probes(r, 5) {
		var nr *health.NotReady
		if !errors.As(err, &nr) || nr.Reason != "MongoDB did not answer a ping within 100ms" {
			t.Errorf("later probe of a hanging store: %v", err)
		}
	}
	if n := s.pings.Load(); n != 1 {
		t.Errorf("a hanging store was pinged %d times, want 1 (its ping is still in flight)", n)
	}
	// Once the store answers again, a probe after the period finds it ready.
	release.Stop()
	close(s.hang)
	deadline := time.Now().Add(20 * time.Second)
	for r.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("still not ready 20 s after the store answers again")
		}
		c.Add(time.Second)
		time.Sleep(10 * time.Millisecond) // the late ping is being recorded
	}
}
