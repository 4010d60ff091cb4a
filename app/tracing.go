package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
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

// TracingSettings are OpenTelemetry's standard variables for traces. Tracing is off
// unless an OTLP endpoint is set (and OTEL_SDK_DISABLED is not true). Spans go out
// over OTLP/HTTP with protobuf bodies: plain HTTPS through any proxy, which every
// collector takes (port 4318), and one exporter to test.
type TracingSettings struct {
	// Endpoint is the collector's base URL; spans go to its /v1/traces.
	Endpoint string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	// TracesEndpoint is the full URL spans go to; it wins over Endpoint.
	TracesEndpoint string `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"`
	Protocol       string `env:"OTEL_EXPORTER_OTLP_PROTOCOL"`
	TracesProtocol string `env:"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"`
	// Headers go with every export (key=value pairs, comma-separated, values
	// URL-encoded), such as a collector's API key: never logged.
	Headers       string `env:"OTEL_EXPORTER_OTLP_HEADERS"`
	TracesHeaders string `env:"OTEL_EXPORTER_OTLP_TRACES_HEADERS"`
	ServiceName   string `env:"OTEL_SERVICE_NAME" envDefault:"pwreset"`
	Sampler       string `env:"OTEL_TRACES_SAMPLER" envDefault:"parentbased_always_on"`
	SamplerArg    string `env:"OTEL_TRACES_SAMPLER_ARG"`
	Disabled      bool   `env:"OTEL_SDK_DISABLED" envDefault:"false"`

	// exportHeaders and sampler are Headers, TracesHeaders, Sampler and SamplerArg
	// parsed, by Load (resolve) while tracing is on; nil otherwise, which the SDK
	// takes as no headers and its default sampler (parentbased_always_on).
	exportHeaders map[string]string
	sampler       sdktrace.Sampler
}

// On reports whether spans are made and exported.
func (t TracingSettings) On() bool {
	return !t.Disabled && (t.Endpoint != "" || t.TracesEndpoint != "")
}

// exportURL is where spans go: the traces endpoint as given, or the base endpoint's
// /v1/traces, as the OTLP specification says.
func (t TracingSettings) exportURL() string {
	if t.TracesEndpoint != "" {
		return t.TracesEndpoint
	}
	return strings.TrimSuffix(t.Endpoint, "/") + "/v1/traces"
}

// resolve parses the export headers and the sampler into their typed fields, while
// tracing is on (off, they are not used, and not checked), and returns their
// problems.
func (t *TracingSettings) resolve() []error {
	if !t.On() {
		return nil
	}
	var p []error
	headers, err := t.parseHeaders()
	if err != nil {
		p = append(p, err)
	}
	sampler, err := t.parseSampler()
	if err != nil {
		p = append(p, err)
	}
	t.exportHeaders, t.sampler = headers, sampler
	return p
}

// parseHeaders parses the export headers; the traces' own win over the common ones.
func (t TracingSettings) parseHeaders() (map[string]string, error) {
	h := map[string]string{}
	for _, v := range []struct{ name, list string }{
		{"OTEL_EXPORTER_OTLP_HEADERS", t.Headers}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", t.TracesHeaders},
	} {
		for pair := range strings.SplitSeq(v.list, ",") {
			if strings.TrimSpace(pair) == "" {
				continue
			}
			key, value, ok := strings.Cut(pair, "=")
			value, err := url.PathUnescape(strings.TrimSpace(value))
			if !ok || strings.TrimSpace(key) == "" || err != nil {
				// The pair is not quoted: its value may be a credential.
				return nil, fmt.Errorf("%s: each entry must be key=value with the value URL-encoded, such as api-key=abc%%20def", v.name)
			}
			h[strings.TrimSpace(key)] = value
		}
	}
	return h, nil
}

// samplers are the samplers OTEL_TRACES_SAMPLER names, each given the ratio of
// OTEL_TRACES_SAMPLER_ARG (which only the traceidratio ones use).
var samplers = map[string]func(ratio float64) sdktrace.Sampler{
	"always_on":                func(float64) sdktrace.Sampler { return sdktrace.AlwaysSample() },
	"always_off":               func(float64) sdktrace.Sampler { return sdktrace.NeverSample() },
	"traceidratio":             sdktrace.TraceIDRatioBased,
	"":                         func(float64) sdktrace.Sampler { return sdktrace.ParentBased(sdktrace.AlwaysSample()) },
	"parentbased_always_on":    func(float64) sdktrace.Sampler { return sdktrace.ParentBased(sdktrace.AlwaysSample()) },
	"parentbased_always_off":   func(float64) sdktrace.Sampler { return sdktrace.ParentBased(sdktrace.NeverSample()) },
	"parentbased_traceidratio": func(r float64) sdktrace.Sampler { return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)) },
}

// parseSampler returns the sampler OTEL_TRACES_SAMPLER names, with its argument.
func (t TracingSettings) parseSampler() (sdktrace.Sampler, error) {
	ratio := 1.0
	if t.SamplerArg != "" && strings.HasSuffix(t.Sampler, "traceidratio") {
		r, err := strconv.ParseFloat(t.SamplerArg, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG %q is not a ratio from 0 to 1, such as 0.25", t.SamplerArg)
		}
		ratio = r
	}
	if s, ok := samplers[t.Sampler]; ok {
		return s(ratio), nil
	}
	return nil, fmt.Errorf("OTEL_TRACES_SAMPLER %q is not supported: use always_on, always_off, traceidratio "+
		"or their parentbased_ forms", t.Sampler)
}

func (t TracingSettings) problems() []error {
	if !t.On() {
		return nil
	}
	p := t.protocolProblems()
	name := "OTEL_EXPORTER_OTLP_ENDPOINT"
	if t.TracesEndpoint != "" {
		name = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	}
	if u, err := url.Parse(t.exportURL()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, fmt.Errorf("%s must be an http or https URL, such as http://collector:4318", name))
	}
	return p
}

// protocolProblems refuses every OTLP protocol but the one built in.
func (t TracingSettings) protocolProblems() []error {
	var p []error
	for _, v := range []struct{ name, value string }{
		{"OTEL_EXPORTER_OTLP_PROTOCOL", t.Protocol}, {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", t.TracesProtocol},
	} {
		if v.value != "" && v.value != "http/protobuf" {
			p = append(p, fmt.Errorf("%s %q is not supported: pwreset exports OTLP over HTTP; use http/protobuf "+
				"(the collector's port 4318)", v.name, v.value))
		}
	}
	return p
}

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
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(t.exportURL()), otlptracehttp.WithHeaders(t.exportHeaders))
	if err != nil {
		return Tracing{}, nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: start the OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", t.ServiceName)))
	if err != nil {
		log.WarnContext(ctx, "OTEL_RESOURCE_ATTRIBUTES: some attributes were not understood", "error", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res), sdktrace.WithSampler(t.sampler))
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
	return tracing.Wrap(b, t.Provider)
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
