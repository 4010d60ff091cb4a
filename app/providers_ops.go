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

// ProvideMetrics returns the Prometheus metrics, with the outbox gauges read from box.
func ProvideMetrics(cfg Config, box ports.Outbox, clock ports.Clock, log *slog.Logger) *prometheus.Metrics {
	m := prometheus.New()
	m.WatchOutbox(prometheus.OutboxWatch{Box: box, Clock: clock, Timeout: cfg.storeTimeout(),
		CacheFor: outboxStatsCache, Log: log})
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

// ProvideOperations gives the API its metrics and readiness endpoints; /metrics
// moves to a server of its own when METRICS_ADDR is set.
func ProvideOperations(cfg Config, m *prometheus.Metrics, ready *health.Readiness) apihttp.Operations {
	ops := apihttp.Operations{Observer: m, Readiness: ready}
	if cfg.Ops.MetricsAddr == "" {
		ops.Metrics = m.Handler()
	}
	return ops
}

// ProvideMetricsServer opens METRICS_ADDR, if set; nil otherwise.
func ProvideMetricsServer(cfg Config, m *prometheus.Metrics, log *slog.Logger) (*MetricsServer, func(), error) {
	if cfg.Ops.MetricsAddr == "" {
		return nil, func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Ops.MetricsAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on METRICS_ADDR %q: %w", cfg.Ops.MetricsAddr, err)
	}
	return newMetricsServer(ln, m.Handler(), log), func() { ln.Close() }, nil
}
