package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/hashpool"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/tracing"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// flushTimeout bounds the export of the last spans at shutdown.
const flushTimeout = 5 * time.Second

// Tracing is where the spans go: OpenTelemetry's SDK exporting OTLP/HTTP when
// tracing is on; Provider is nil when it is off, and nothing is wrapped then, so
// that tracing off costs nothing.
type Tracing struct{ Provider trace.TracerProvider }

// ProvideTracing starts the OTLP exporter that the OTEL_* variables describe, if
// any. Its cleanup exports the spans still buffered (at most flushTimeout).
func ProvideTracing(ctx context.Context, cfg Config, log *slog.Logger) (Tracing, func(), error) {
	t := cfg.Tracing
	if !t.On() {
		return Tracing{}, func() {}, nil
	}
	headers, _ := t.headers() // checked by Load
	sampler, _ := t.sampler()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(t.exportURL()), otlptracehttp.WithHeaders(headers))
	if err != nil {
		return Tracing{}, nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: start the OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", t.ServiceName)))
	if err != nil {
		log.WarnContext(ctx, "OTEL_RESOURCE_ATTRIBUTES: some attributes were not understood", "error", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res), sdktrace.WithSampler(sampler))
	// Failed exports are logged, not written to standard error by the SDK.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("export traces", "error", err) }))
	log.InfoContext(ctx, "tracing: spans go out over OTLP/HTTP", "service", t.ServiceName, "sampler", t.Sampler)
	flush := func() {
		ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			log.Warn("tracing: export the last spans", "error", err)
		}
	}
	return Tracing{tp}, flush, nil
}

// On reports whether spans are made.
func (t Tracing) On() bool { return t.Provider != nil }

func (t Tracing) users(u ports.UserStore) ports.UserStore {
	if !t.On() || u == nil {
		return u
	}
	return tracing.NewUserStore(u, t.Provider)
}

func (t Tracing) outbox(b ports.Outbox) ports.Outbox {
	if !t.On() || b == nil {
		return b
	}
	return tracing.NewOutbox(b, t.Provider)
}

func (t Tracing) limiter(l ports.RateLimiter) ports.RateLimiter {
	if !t.On() || l == nil {
		return l
	}
	return tracing.NewRateLimiter(l, t.Provider)
}

func (t Tracing) breach(b ports.BreachChecker) ports.BreachChecker {
	if !t.On() || b == nil {
		return b
	}
	return tracing.NewBreachChecker(b, t.Provider)
}

func (t Tracing) mail(p outbox.Provider) outbox.Provider {
	if !t.On() || p == nil {
		return p
	}
	return tracing.NewMailer(p, t.Provider)
}

func (t Tracing) events(p outbox.Provider) outbox.Provider {
	if !t.On() || p == nil {
		return p
	}
	return tracing.NewEventSender(p, t.Provider)
}

// ProvidePasswordHasher is the hash pool, whose hashes are steps of the request's
// trace when tracing is on.
func ProvidePasswordHasher(pool *hashpool.Pool, t Tracing) ports.PasswordHasher {
	if !t.On() {
		return pool
	}
	return tracing.NewPasswordHasher(pool, t.Provider)
}

// mongoOptions are the MongoDB client's options for tracing: a span per command.
func (t Tracing) mongoOptions() []*options.ClientOptions {
	if !t.On() {
		return nil
	}
	return []*options.ClientOptions{mongo.WithTracing(t.Provider)}
}

// pgOptions are the PostgreSQL pool's options for tracing: a span per statement.
func (t Tracing) pgOptions() []postgres.Option {
	if !t.On() {
		return nil
	}
	return []postgres.Option{postgres.WithTracing(t.Provider)}
}

// ProvideAPI is the HTTP API, whose requests are spans when tracing is on.
func ProvideAPI(cfg apihttp.Config, t Tracing, sender *reset.LinkSender, resetter *reset.Resetter,
	limiter ports.RateLimiter, clock ports.Clock, log *slog.Logger) *apihttp.API {
	cfg.Tracing = t.Provider
	return apihttp.New(cfg, sender, resetter, limiter, clock, log)
}
