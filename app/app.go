package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// App is pwreset, assembled and ready to run.
type App struct {
	cfg        Config
	log        *slog.Logger
	ln         net.Listener
	server     *apihttp.Server
	out        io.Writer
	dispatcher *outbox.Dispatcher
	users      ports.UserStore
	limiter    ports.RateLimiter
	metrics    *MetricsServer // nil: no METRICS_ADDR
}

// Listener is the socket the API is served on; it is opened before anything else so
// that demo mode can put its real address into links.
type Listener struct{ net.Listener }

// Output is where demo mode prints its banner and e-mails (standard output).
type Output struct{ io.Writer }

// Deps are what the App runs, which Wire provides (wire.Struct).
type Deps struct {
	Config   Config
	Log      *slog.Logger
	Listener Listener
	// Handler is the API, served on Listener.
	Handler http.Handler
	Out     Output
	// Dispatcher delivers the mail of the outbox.
	Dispatcher *outbox.Dispatcher
	// Users are checked for duplicate e-mail addresses at start (app/users.go),
	// Limiter purged of old events (app/maintain.go), in the background.
	Users   ports.UserStore
	Limiter ports.RateLimiter
	// Metrics is the metrics server; nil without METRICS_ADDR.
	Metrics *MetricsServer
}

// New returns the App serving d.Handler on d.Listener and delivering mail with
// d.Dispatcher.
func New(d Deps) *App {
	return &App{cfg: d.Config, log: d.Log, ln: d.Listener, out: d.Out, dispatcher: d.Dispatcher, users: d.Users,
		limiter: d.Limiter, metrics: d.Metrics, server: apihttp.NewServer(d.Handler, d.Log)}
}

// Run serves and delivers mail until ctx is done. Then it stops taking requests and
// lets requests and sends in flight finish within SHUTDOWN_GRACE; the outbox keeps
// what was not sent for the next process.
func (a *App) Run(ctx context.Context) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	delivered := make(chan error, 1)
	go func() { delivered <- a.dispatcher.Run(ctx) }()
	go a.maintain(ctx)
	go a.warnDuplicateEmails(ctx)
	go a.metrics.Run(ctx)
	err := a.serve(ctx)
	stop() // the server failing stops the dispatcher too
	if derr := <-delivered; derr != nil {
		err = errors.Join(err, fmt.Errorf("deliver mail: %w", derr))
	}
	if err == nil {
		a.log.Info("stopped")
	}
	return err
}

func (a *App) serve(ctx context.Context) error {
	if a.cfg.Demo() {
		printDemoBanner(a.out, a.cfg, demoOrigin(a.ln))
		a.log.Warn("demo mode: users in memory, e-mails " + a.cfg.mailRoute() + ", nothing persists")
	}
	warnUnsafeDefaults(ctx, a.log, a.cfg)
	a.cfg.Ops.logNotices(ctx, a.log)
	a.log.Info("pwreset listening", "addr", "http://"+a.ln.Addr().String(), "api_prefix", a.cfg.HTTP.APIPrefix)
	served := make(chan error, 1)
	go func() { served <- a.server.Serve(a.ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", a.cfg.HTTP.ShutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.HTTP.ShutdownGrace)
	defer cancel()
	if err := a.server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}
