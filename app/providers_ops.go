package app

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/google/wire"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
)

const (
	// outboxStatsCache is how long one read of the outbox serves metric scrapes.
	outboxStatsCache = 5 * time.Second
	// readinessCache is how long one ping of the store serves readiness probes.
	readinessCache = 2 * time.Second
)

// Metrics holds the providers of the metrics, in Core: every command assembles the
// use cases that report to them, though only `serve` serves them.
var Metrics = wire.NewSet(
	ProvideMetrics,
	wire.Bind(new(ports.EventObserver), new(*prometheus.Metrics)),
	wire.Bind(new(ports.RequestObserver), new(*prometheus.Metrics)),
)

// ProvideMetrics returns the Prometheus metrics, with the outbox gauges read from
// the stores' outbox and the campaigns' from their campaigns, each read bounded by
// the stores' timeout.
func ProvideMetrics(s ports.Stores, clock ports.Clock, log *slog.Logger) *prometheus.Metrics {
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: s.Outbox, Clock: clock, Timeout: s.Timeout,
		CacheFor: outboxStatsCache, Log: log})
	m.WatchCampaigns(prometheus.CampaignWatch{Store: s.Campaigns, Timeout: s.Timeout, Log: log})
	return m
}

// ProvideReadiness returns the readiness check: the backend's database answering
// a ping within the backend's timeout, or always ready in memory, which has none.
func ProvideReadiness(s ports.Stores, clock ports.Clock) *health.Readiness {
	return health.NewReadiness(s.Readiness, s.Name, s.Timeout, readinessCache, clock)
}

// ProvideOperations gives the API its metrics and readiness endpoints: /metrics and
// the reasons of /readyz only when METRICS_ON_API_ADDR opts in; otherwise they are on
// METRICS_ADDR alone.
func ProvideOperations(cfg Config, m *prometheus.Metrics, ready *health.Readiness) apihttp.Operations {
	ops := apihttp.Operations{Observer: m, ReadinessReason: cfg.Ops.MetricsOnAPIAddr}
	if ready != nil {
		ops.Readiness = ready // a nil *Readiness in the interface would not be nil
	}
	if cfg.Ops.MetricsOnAPIAddr {
		ops.Metrics = m.Handler()
	}
	return ops
}

// ProvideMetricsServer opens METRICS_ADDR, if set, to serve the operator endpoints;
// nil otherwise.
func ProvideMetricsServer(cfg Config, m *prometheus.Metrics, ready *health.Readiness, log *slog.Logger) (*MetricsServer, func(), error) {
	if cfg.Ops.MetricsAddr == "" {
		return nil, func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Ops.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on METRICS_ADDR %q: %w", cfg.Ops.MetricsAddr, err)
	}
	ops := apihttp.Operations{Metrics: m.Handler(), Readiness: ready}
	return newMetricsServer(ln, apihttp.OperatorHandler(ops, log), log), func() { ln.Close() }, nil
}
