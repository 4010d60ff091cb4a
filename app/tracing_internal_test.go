package app

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/tracing"
	"github.com/pwreset/pwreset/adapters/tracing/otlptest"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

// TestTracingOffWrapsNothing: without an endpoint every adapter is used as it is, so
// that tracing off costs nothing.
func TestTracingOffWrapsNothing(t *testing.T) {
	tr, cleanup, err := ProvideTracing(context.Background(), Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	users, box, limiter, mailer := memory.NewUserStore(nil), memory.NewOutbox(), memory.NewRateLimiter(), memory.NewMailer()
	pool := hashpool.New(nil, 1)
	if tr.On() || tr.users(users) != ports.UserStore(users) || tr.outbox(box) != ports.Outbox(box) ||
		tr.limiter(limiter) != ports.RateLimiter(limiter) || tr.mail(mailer) != mailer || tr.breach(nil) != nil ||
		ProvidePasswordHasher(pool, tr) != ports.PasswordHasher(pool) || tr.mongoOptions() != nil || tr.pgOptions() != nil {
		t.Fatal("tracing off wrapped an adapter")
	}
}

// TestProvideTracingFlushesAtCleanup: with an endpoint (a base one, or the traces'
// own URL), spans go to it over OTLP/HTTP with the configured headers (parsed by
// Load) and service name, and the cleanup exports what is still buffered.
func TestProvideTracingFlushesAtCleanup(t *testing.T) {
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "3600000") // an hour: only the cleanup exports
	for _, traces := range []bool{false, true} {
		otlp := otlptest.New(t)
		env := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL() + "/", "OTEL_SERVICE_NAME=flush-test",
			"OTEL_EXPORTER_OTLP_HEADERS=x-key=a%20b", "OTEL_TRACES_SAMPLER=parentbased_always_on"}
		if traces {
			env = []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=" + otlp.URL() + "/v1/traces",
				"OTEL_SERVICE_NAME=flush-test", "OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-key=a%20b"}
		}
		cfg, err := Load(env)
		if err != nil {
			t.Fatal(err)
		}
		tr, cleanup, err := ProvideTracing(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		_, span := tr.Provider.Tracer("test").Start(context.Background(), "buffered")
		span.End()
		if n := len(otlp.Spans()); n != 0 {
			t.Fatalf("%d spans exported before the cleanup", n)
		}
		cleanup()
		got := otlp.Spans()
		if len(got) != 1 || got[0].Name != "buffered" || got[0].Resource["service.name"] != "flush-test" ||
			otlp.Headers()[0].Get("X-Key") != "a b" {
			t.Fatalf("traces endpoint %v, after cleanup: %+v, headers %v", traces, got, otlp.Headers())
		}
	}
}

// The traced outbox of a store that works a page at a time is still a
// campaign.PageQueue: a campaign on MongoDB keeps its page path with tracing on.
var _ campaign.PageQueue = (*tracing.PageOutbox)(nil)
