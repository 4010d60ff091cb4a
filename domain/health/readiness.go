// Package health answers whether pwreset can work: its readiness, from one ping of
// its store at most once per cache period, never waiting longer than a timeout.
package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// NotReady says why pwreset cannot work now. Reason is short and safe to show to
// anybody (a load balancer, an unauthenticated caller); Err is for the log.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

func (e *NotReady) Unwrap() error { return e.Err }

// Readiness pings the store through a cache: however many probes come, the store is
// pinged at most once per CacheFor, and a probe waits at most Timeout.
type Readiness struct {
	store    ports.Pinger
	name     string
	timeout  time.Duration
	cacheFor time.Duration
	clock    ports.Clock

	mu      sync.Mutex
	checked time.Time     // when the last ping ended; zero before the first
	result  error         // its outcome
	running chan struct{} // closed when the ping in flight ends; nil if none
	since   time.Time     // when the ping in flight began
}

// NewReadiness returns the readiness of store, which a probe names name (such as
// "MongoDB"). A nil store is always ready (demo mode keeps everything in memory).
func NewReadiness(store ports.Pinger, name string, timeout, cacheFor time.Duration, clock ports.Clock) *Readiness {
	return &Readiness{store: store, name: name, timeout: timeout, cacheFor: cacheFor, clock: clock}
}

// Ping implements ports.Pinger: nil when the store answered its last ping within
// the timeout, a *NotReady otherwise.
func (r *Readiness) Ping(ctx context.Context) error {
	if r.store == nil {
		return nil
	}
	r.mu.Lock()
	if !r.checked.IsZero() && r.clock.Now().Sub(r.checked) < r.cacheFor {
		defer r.mu.Unlock()
		return r.result
	}
	if r.running == nil {
		r.running, r.since = make(chan struct{}), time.Now()
		go r.ping(r.running)
	}
	done, left := r.running, r.timeout-time.Since(r.since)
	r.mu.Unlock()

	// A store that ignores its context must not hold the probe: it waits at most
	// until the ping in flight is Timeout old (at once if it is already), and that
	// ping keeps others from starting until it ends.
	if left <= 0 {
		return r.late()
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-done:
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.result
	case <-t.C:
		return r.late()
	case <-ctx.Done():
		return &NotReady{Reason: "probe cancelled", Err: ctx.Err()}
	}
}

// ping pings the store once, with a context of its own (the probe that started it
// may go away), and records the outcome.
func (r *Readiness) ping(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	start := time.Now()
	err := r.store.Ping(ctx)
	switch {
	case err != nil:
		err = &NotReady{Reason: r.name + " ping failed", Err: err}
	case time.Since(start) > r.timeout:
		err = r.late()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.result, r.checked, r.running = err, r.clock.Now(), nil
	close(done)
}

func (r *Readiness) late() error {
	return &NotReady{Reason: fmt.Sprintf("%s did not answer a ping within %s", r.name, r.timeout)}
}
