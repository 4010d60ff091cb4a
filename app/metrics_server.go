package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

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
