package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/wire"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
)

// OpsSettings say where the people who run pwreset find its metrics and why it is
// not ready, and how its log is written.
type OpsSettings struct {
	// MetricsAddr serves GET /metrics and a /readyz that says why on a listener of
	// its own (such as :9090, or 127.0.0.1:9090 to keep it on the host); empty: none.
	MetricsAddr string `env:"METRICS_ADDR"`
	// MetricsOnAPIAddr serves them on the API address too: the operator's explicit
	// choice, for an API that only trusted networks reach. The link outcomes counted
	// there tell which logins exist, and /readyz names the database.
	MetricsOnAPIAddr bool `env:"METRICS_ON_API_ADDR" envDefault:"false"`
	// LogFormat is json (the default) or text.
	LogFormat string `env:"LOG_FORMAT" envDefault:"json"`
}

// logNotices says at start-up where the operator endpoints are, when it is not where
// an operator might expect them.
func (o OpsSettings) logNotices(ctx context.Context, log *slog.Logger) {
	switch {
	case o.MetricsOnAPIAddr:
		log.WarnContext(ctx, "METRICS_ON_API_ADDR=true: /metrics, and /readyz with its reasons, are served on the API address; "+
			"keep that address away from the internet, or serve them on METRICS_ADDR alone")
	case o.MetricsAddr == "":
		log.InfoContext(ctx, "metrics are not served: set METRICS_ADDR (such as 127.0.0.1:9090) to serve /metrics apart from the API")
	}
}

func (o OpsSettings) problems() []error {
	var p []error
	if o.LogFormat != "json" && o.LogFormat != "text" {
		p = append(p, fmt.Errorf("LOG_FORMAT %q is not supported: use json or text", o.LogFormat))
	}
	if o.MetricsAddr == "" {
		return p
	}
	if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
		p = append(p, fmt.Errorf("METRICS_ADDR %q is not host:port, such as :9090 or 127.0.0.1:9090", o.MetricsAddr))
	}
	return p
}

// NewLogger returns the structured logger LOG_FORMAT asks for, writing to w.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.Ops.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

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

// MetricsServer serves the operator endpoints (GET /metrics, GET /readyz with its
// reasons) on METRICS_ADDR, apart from the API, so that scrapes and reasons stay
// inside the network while the API faces the internet.
type MetricsServer struct {
	ln     net.Listener
	server *http.Server
	log    *slog.Logger
}

func newMetricsServer(ln net.Listener, handler http.Handler, log *slog.Logger) *MetricsServer {
	return &MetricsServer{ln: ln, log: log, server: &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
}

// Run serves until ctx is done; a nil server does nothing.
func (s *MetricsServer) Run(ctx context.Context) {
	if s == nil {
		return
	}
	s.log.Info("metrics listening", "addr", "http://"+s.ln.Addr().String()+"/metrics")
	go func() {
		<-ctx.Done()
		// Scrapes are short: give them a second, then close.
		c, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.server.Shutdown(c); err != nil {
			s.log.Warn("metrics server: scrapes still running at shutdown were cut off", "error", err)
		}
	}()
	if err := s.server.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		s.log.Error("metrics server stopped", "error", err)
	}
}
