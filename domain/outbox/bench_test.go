package outbox_test

import (
	"context"
	"io"
	"log/slog"
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
