package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkDeliverDue delivers one stored message at a time through a provider
// that does nothing, logging JSON as the service does: the dispatcher's own
// work per e-mail (claim, send context, outcome, its log line and audit event).
func BenchmarkDeliverDue(b *testing.B) {
	ctx := context.Background()
	box := memory.NewOutbox()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	d := outbox.NewDispatcher(testConfig(), box, nopProvider{}, clock{}, log, nil)
	msg := message(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := box.Add(ctx, msg, time.Now().UTC()); err != nil {
			b.Fatal(err)
		}
		if ok, err := d.DeliverDue(ctx); !ok || err != nil {
			b.Fatalf("DeliverDue = %v, %v", ok, err)
		}
	}
}

// nopProvider takes every message and does nothing with it.
type nopProvider struct{}

func (nopProvider) Send(context.Context, ports.Message) (string, error) { return "provider-id", nil }

// BenchmarkRunSettles delivers b.N stored messages through Run's workers over a
// store and a provider that each take a round trip per call (roundTrip, slept):
// how the round trips a worker waits for per message set delivery's rate. With
// the settler a worker waits for the send alone; the claim is shared by a batch,
// and so is the settle, off the worker's path.
func BenchmarkRunSettles(b *testing.B) {
	const roundTrip = 200 * time.Microsecond
	ctx, cancel := context.WithCancel(context.Background())
	box := &slowBox{Outbox: memory.NewOutbox(), rtt: roundTrip, want: int64(b.N), done: make(chan struct{})}
	for range b.N {
		if _, err := box.Outbox.Add(ctx, message(1), time.Now().UTC()); err != nil {
			b.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.Workers = 4
	d := outbox.NewDispatcher(cfg, box, slowProvider{roundTrip}, clock{}, slog.New(slog.DiscardHandler), nil)
	b.ResetTimer()
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx) }()
	<-box.done
	b.StopTimer()
	cancel()
	if err := <-ran; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// slowBox is the memory outbox with a round trip per claim and per settle; it
// closes done once want messages are recorded sent.
type slowBox struct {
	*memory.Outbox
	rtt  time.Duration
	sent atomic.Int64
	want int64
	done chan struct{}
}

func (s *slowBox) ClaimBatch(ctx context.Context, owner string, now time.Time, lease time.Duration, n int) ([]ports.Envelope, error) {
	time.Sleep(s.rtt)
	return s.Outbox.ClaimBatch(ctx, owner, now, lease, n)
}

func (s *slowBox) MarkSent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	time.Sleep(s.rtt)
	return s.count(s.Outbox.MarkSent(ctx, id, owner, providerID, at))
}

func (s *slowBox) MarkSentBatch(ctx context.Context, ds []ports.Delivery) []error {
	time.Sleep(s.rtt)
	errs := s.Outbox.MarkSentBatch(ctx, ds)
	for _, err := range errs {
		s.count(err)
	}
	return errs
}

func (s *slowBox) count(err error) error {
	if err == nil && s.sent.Add(1) == s.want {
		close(s.done)
	}
	return err
}

// slowProvider takes every message after a round trip.
type slowProvider struct{ rtt time.Duration }

func (p slowProvider) Send(context.Context, ports.Message) (string, error) {
	time.Sleep(p.rtt)
	return "provider-id", nil
}
