package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// BenchmarkTracing measures what request spans cost on the cheapest answer
// (/healthz) and on send-reset-password-link: "off" is the API as pwreset runs it
// without an OTLP endpoint (no middleware at all), "noop" the middleware over
// OpenTelemetry's no-op provider, "sdk" every request sampled by the SDK and handed
// to an exporter that drops it (the export itself happens off the request, in the
// batch processor). Besides the wall time, each reports the process's CPU time per
// request (cpu-ns/op), which the other work on a shared machine disturbs less.
// docs/performance.md has the figures.
func BenchmarkTracing(b *testing.B) {
	sdk := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	b.Cleanup(func() { sdk.Shutdown(context.Background()) })
	for _, p := range []struct {
		name string
		tp   trace.TracerProvider
	}{{"off", nil}, {"noop", noop.NewTracerProvider()}, {"sdk", sdk}} {
		b.Run("healthz/"+p.name, func(b *testing.B) {
			api := demoAPIWith(b, p.tp)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
		b.Run("send-link/"+p.name, func(b *testing.B) {
			api := demoAPIWith(b, p.tp)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				serve(b, api, sendPath, `{"login":"demo"}`)
			}
		})
	}
}

// reportCPU starts counting the process's CPU time (user and system); the function
// it returns reports it per iteration as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
