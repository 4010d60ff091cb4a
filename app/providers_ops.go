package app

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/google/wire"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
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
// box and the campaigns' from campaigns.
func ProvideMetrics(cfg Config, box ports.Outbox, campaigns ports.CampaignStore, clock ports.Clock, log *slog.Logger) *prometheus.Metrics {
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: box, Clock: clock, Timeout: cfg.storeTimeout(),
		CacheFor: outboxStatsCache, Log: log})
	m.WatchCampaigns(prometheus.CampaignWatch{Store: campaigns, Timeout: cfg.storeTimeout(), Log: log})
	return m
}

// ProvideReadiness returns the readiness check: the database (PostgreSQL or
// MongoDB) answering a ping within its timeout, or always ready in demo mode.
func ProvideReadiness(cfg Config, db MongoDB, pg Postgres, clock ports.Clock) *health.Readiness {
	var store ports.Pinger // none in demo mode: always ready
	name := "MongoDB"
	switch {
	case pg.Pool != nil:
		store, name = postgres.NewPinger(pg.Pool, cfg.storeTimeout()), "PostgreSQL"
	case db.Database != nil:
		store = mongo.NewPinger(db.Database, cfg.storeTimeout())
	}
	return health.NewReadiness(store, name, cfg.storeTimeout(), readinessCache, clock)
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
