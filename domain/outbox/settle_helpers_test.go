package outbox_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pwreset/pwreset/ports"
)

// settles is what the test store does with MarkSentBatch: it notes the size of
// each call, holds the calls while a gate is shut, and fails chosen messages.
type settles struct {
	mu     sync.Mutex
	sizes  []int            // of each MarkSentBatch call
	faults map[string]error // MarkSent's answer for these ids
	gate   *gate
}

// gate holds MarkSentBatch calls until the test opens it, and tells the test of
// each call as it comes.
type gate struct {
	came chan int      // the size of each call held
	shut chan struct{} // closed by open
	open func()
	only string // when set, the gate holds only the deliveries of this dispatcher
}

// MarkSentBatch records each delivery through MarkSent, so that the faults the
// tests switch on there (leasesLost, fail) strike a batch as they strike one.
func (s *store) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	s.settles.mu.Lock()
	s.settles.sizes = append(s.settles.sizes, len(ds))
	g := s.settles.gate
	s.settles.mu.Unlock()
	if g != nil && (g.only == "" || strings.HasPrefix(ds[0].Owner, g.only+"/")) {
		select {
		case g.came <- len(ds):
		default: // a test that had a hundred calls held reads no more of them
		}
		<-g.shut
		// The gate stands for a store that takes as long as the test says; its
		// writes are judged by the context as it was when the call came, so
		// that holding them on a busy machine cannot time them out.
		ctx = context.WithoutCancel(ctx)
	}
	errs := make([]error, len(ds))
	for i, d := range ds {
		errs[i] = s.MarkSent(ctx, d.ID, d.Owner, d.ProviderID, d.At)
	}
	return errs
}

// hold shuts a gate in front of MarkSentBatch until the test opens it, which the
// test's cleanup does at the latest, before the dispatchers stop.
func (s *store) hold(t *testing.T) *gate {
	g := &gate{came: make(chan int, 100), shut: make(chan struct{})}
	g.open = sync.OnceFunc(func() { close(g.shut) })
	t.Cleanup(g.open)
	s.settles.mu.Lock()
	s.settles.gate = g
	s.settles.mu.Unlock()
	return g
}

// held waits for the next MarkSentBatch call the gate holds and returns its size.
func (g *gate) held(t *testing.T) int {
	t.Helper()
	var n int
	waitFor(t, "a MarkSentBatch call", func() bool {
		select {
		case n = <-g.came:
			return true
		default:
			return false
		}
	})
	return n
}

// fail makes MarkSent answer err for message id from now on.
func (s *store) fail(id string, err error) {
	s.settles.mu.Lock()
	defer s.settles.mu.Unlock()
	if s.settles.faults == nil {
		s.settles.faults = map[string]error{}
	}
	s.settles.faults[id] = err
}

// fault is what fail set for id, if anything.
func (s *settles) fault(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults[id]
}

// settleSizes returns the sizes of the MarkSentBatch calls so far.
func (s *store) settleSizes() []int {
	s.settles.mu.Lock()
	defer s.settles.mu.Unlock()
	return slices.Clone(s.settles.sizes)
}
