package prometheus_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// What the metrics add to a request: one event and one request observation.
func BenchmarkObserveEvent(b *testing.B) {
	m := prometheus.New()
	e := ports.Event{Name: audit.LinkSuppressed, Reason: "cooldown"}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(e)
	}
}

func BenchmarkObserveRequest(b *testing.B) {
	m := prometheus.New()
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("/api/v1/accounts/send-reset-password-link/", "POST", 200, 3*time.Millisecond)
	}
}

// A scrape with the outbox read from the cache: what Prometheus costs an instance.
func BenchmarkScrape(b *testing.B) {
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: memory.NewOutbox(), Clock: portstest.NewClock(time.Unix(1_700_000_000, 0)),
		Timeout: time.Second, CacheFor: time.Hour})
	h := m.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
