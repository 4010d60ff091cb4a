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
)

// App is pwreset, assembled and ready to run.
type App struct {
	cfg    Config
	log    *slog.Logger
	ln     net.Listener
	server *http.Server
	out    io.Writer
}

// Listener is the socket the API is served on; it is opened before anything else so
// that demo mode can put its real address into links.
type Listener struct{ net.Listener }

// Output is where demo mode prints its banner and e-mails (standard output).
type Output struct{ io.Writer }

// New returns the App serving handler on ln.
func New(cfg Config, log *slog.Logger, ln Listener, handler http.Handler, out Output) *App {
	return &App{cfg: cfg, log: log, ln: ln, out: out, server: &http.Server{
		Handler: handler,
		// Slow or stuck clients must not hold connections open for ever.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
}

// Run serves until ctx is done, then stops taking requests and lets those in flight
// finish within SHUTDOWN_GRACE.
func (a *App) Run(ctx context.Context) error {
	if a.cfg.Demo() {
		printDemoBanner(a.out, a.cfg, demoOrigin(a.ln))
		a.log.Warn("demo mode: users in memory, e-mails printed to standard output, nothing persists")
	}
	a.log.Info("pwreset listening", "addr", "http://"+a.ln.Addr().String(), "api_prefix", a.cfg.APIPrefix)
	served := make(chan error, 1)
	go func() { served <- a.server.Serve(a.ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", a.cfg.ShutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if err := a.server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	a.log.Info("stopped")
	return nil
}
