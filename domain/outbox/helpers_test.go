package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

type clock struct{}

func (clock) Now() time.Time { return time.Now().UTC() }

// testConfig moves messages only by Wake and retry timers, so a test that passes shows
// that no message waited for a poll; retries wait milliseconds.
func testConfig() outbox.Config {
	cfg := outbox.DefaultConfig()
	cfg.PollInterval = time.Hour
	cfg.RetryMin, cfg.RetryMax = time.Millisecond, 10*time.Millisecond
	cfg.Grace = 5 * time.Second
	cfg.KeepTrying = []string{"password_changed"} // as the service sets it
	return cfg
}

// message returns the n-th sample e-mail; its body holds a secret link.
func message(n int) ports.Message {
	return ports.Message{Kind: "reset_link", UserID: fmt.Sprint(n), From: "noreply@example.com",
		To: fmt.Sprintf("user%d@example.org", n), Subject: "Reset your password",
		Text: fmt.Sprintf("https://example.com/reset/secret-token-%d\n", n)}
}

// provider is a fake mail provider. answer decides each call from the number of calls
// that came before for the same recipient; nil always succeeds.
type provider struct {
	answer func(ctx context.Context, n int) (string, error)
	mu     sync.Mutex
	calls  map[string][]time.Time // when each call began, by recipient
}

func (p *provider) Send(ctx context.Context, msg ports.Message) (string, error) {
	p.mu.Lock()
	if p.calls == nil {
		p.calls = map[string][]time.Time{}
	}
	n := len(p.calls[msg.To])
	p.calls[msg.To] = append(p.calls[msg.To], time.Now())
	p.mu.Unlock()
	if p.answer == nil {
		return "provider-" + msg.UserID, nil
	}
	return p.answer(ctx, n)
}

func (p *provider) callsTo(to string) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls[to])
}

func (p *provider) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.calls {
		n += len(c)
	}
	return n
}

// results answers with errs in turn, then succeeds.
func results(errs ...error) func(context.Context, int) (string, error) {
	return func(_ context.Context, n int) (string, error) {
		if n < len(errs) {
			return "", errs[n]
		}
		return fmt.Sprint("provider-", n), nil
	}
}

// store is the memory outbox with faults to switch on: failing claims, lost leases.
// Like a real store, it refuses to work for a context that is done.
type store struct {
	*memory.Outbox
	claims     atomic.Int64
	down       atomic.Bool
	leasesLost atomic.Bool
	mu         sync.Mutex
	sizes      []int // of each ClaimBatch's answer (batch_helpers_test.go)
	settles    settles
}

func (s *store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (ports.Envelope, error) {
	s.claims.Add(1)
	if s.down.Load() {
		return ports.Envelope{}, errors.New("store down")
	}
	if err := ctx.Err(); err != nil {
		return ports.Envelope{}, err
	}
	return s.Outbox.Claim(ctx, owner, now, lease)
}

func (s *store) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	if s.leasesLost.Load() {
		return ports.ErrLeaseLost
	}
	if err := s.settles.fault(id); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Outbox.MarkSent(ctx, id, owner, providerID, at)
}

func (s *store) MarkFailed(ctx context.Context, id, owner, reason string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Outbox.MarkFailed(ctx, id, owner, reason, at)
}

func (s *store) Reschedule(ctx context.Context, id, owner string, next time.Time, lastError string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Outbox.Reschedule(ctx, id, owner, next, lastError)
}

// harness is an outbox with dispatchers on it, and the queue into it.
type harness struct {
	box      *store
	provider *provider
	queue    *outbox.Queue
	first    *outbox.Dispatcher // the one the queue wakes
	logs     *logBuffer
	stops    []func()
}

func newHarness(t *testing.T, p *provider) *harness {
	h := &harness{box: &store{Outbox: memory.NewOutbox()}, provider: p, logs: &logBuffer{}}
	t.Cleanup(func() {
		for _, stop := range h.stops {
			stop()
		}
		if t.Failed() {
			t.Logf("logs:\n%s", h.logs)
		}
	})
	return h
}

// start runs one more dispatcher (the first one is the one the queue wakes) and
// returns a function that shuts it down and waits for Run to return.
func (h *harness) start(t *testing.T, cfg outbox.Config) func() {
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := outbox.NewDispatcher(cfg, h.box, h.provider, clock{}, log, nil)
	if h.first == nil {
		h.first, h.queue = d, outbox.NewQueue(h.box, d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	h.stops = append(h.stops, stop)
	return stop
}

func (h *harness) send(t *testing.T, n int) string {
	t.Helper()
	id, _, err := h.queue.AddLimited(context.Background(), ports.LimitedMessage{Message: message(n)}, time.Now())
	if err != nil {
		t.Fatalf("Queue.AddLimited: %v", err)
	}
	return id
}

func (h *harness) get(t *testing.T, id string) ports.Envelope {
	t.Helper()
	env, err := h.box.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return env
}

// patience is how long a test waits for what the dispatcher does at once (or at
// its next poll). What it waits for would otherwise take an hour's poll interval
// or never come, so a generous bound proves the same and a busy machine cannot
// break it.
const patience = 20 * time.Second

// waitState waits until message id is in state, and returns it.
func (h *harness) waitState(t *testing.T, id, state string) ports.Envelope {
	t.Helper()
	var env ports.Envelope
	waitFor(t, "message "+id+" "+state, func() bool { env = h.get(t, id); return env.State == state })
	return env
}

// waitFor polls cond until it holds, failing the test if it does not within patience.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(patience); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %s", what, patience)
		}
	}
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
