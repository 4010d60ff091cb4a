package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	stdhttp "net/http"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
)

// unmatched is the route label of a request no route serves: raw paths would make
// a new series for every scanner's guess.
const unmatched = "unmatched"

// Operations are what the people who run pwreset get from the API: metrics and
// readiness, outside the prefix.
type Operations struct {
	// Observer is told of every answer (nil: nobody).
	Observer ports.RequestObserver
	// Metrics serves GET /metrics. On the API it is nil unless the operator opts in
	// (METRICS_ON_API_ADDR): the counts tell which logins exist.
	Metrics stdhttp.Handler
	// Readiness answers GET /readyz: 200 while it pings, 503 otherwise; nil is always ready.
	Readiness ports.Pinger
	// ReadinessReason makes the API's /readyz say why it is not ready, which names the
	// backend; off, it says only "unavailable" (the reason is logged either way).
	ReadinessReason bool
}

// routes maps each route pattern to its label: the pattern, with the trailing slash
// where the route is served with and without it. It is filled once every route is
// registered, before the first request.
type routes map[string]string

// label returns the route label of a routed request.
func (r routes) label(c *echo.Context) string {
	if c.RouteInfo().Name == echo.NotFoundRouteName || c.Path() == "" {
		return unmatched
	}
	if l, ok := r[c.Path()]; ok {
		return l
	}
	return c.Path()
}

// collect fills r from the routes of e.
func (r routes) collect(e *echo.Echo) {
	paths := map[string]bool{}
	for _, ri := range e.Router().Routes() {
		paths[ri.Path] = true
	}
	for p := range paths {
		r[p] = p
		if !strings.HasSuffix(p, "/") && paths[p+"/"] {
			r[p] = p + "/"
		}
	}
}

// observe tells obs of every answer, with its final status: like the access log,
// it has the error handler answer first.
func observe(obs ports.RequestObserver, r routes) echo.MiddlewareFunc {
	if obs == nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogStatus:   true,
		LogLatency:  true,
		LogValuesFunc: func(c *echo.Context, v middleware.RequestLoggerValues) error {
			obs.ObserveRequest(r.label(c), methodLabel(c.Request().Method), v.Status, v.Latency)
			return nil
		},
	})
}

// methodLabel keeps the method label to the methods HTTP defines: a client may send
// any token.
func methodLabel(m string) string {
	switch m {
	case stdhttp.MethodGet, stdhttp.MethodHead, stdhttp.MethodPost, stdhttp.MethodPut, stdhttp.MethodPatch,
		stdhttp.MethodDelete, stdhttp.MethodOptions, stdhttp.MethodConnect, stdhttp.MethodTrace:
		return m
	}
	return "other"
}

// serveOperations adds /readyz and /metrics, and declares the series of the answers
// that matter so that they exist from start-up. Call it once every route is added.
func serveOperations(e *echo.Echo, ops Operations, r routes, endpoints []string, log *slog.Logger) {
	ready := echo.WrapHandler(readyz(ops.Readiness, ops.ReadinessReason, log))
	e.GET("/readyz", ready)
	e.HEAD("/readyz", ready)
	if ops.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(ops.Metrics))
	}
	r.collect(e)
	if ops.Observer == nil {
		return
	}
	for _, p := range endpoints {
		for _, status := range []int{200, 400, 429, StatusClientClosed, 500, 503} {
			ops.Observer.Declare(r[p], stdhttp.MethodPost, status)
		}
	}
	ops.Observer.Declare("/healthz", stdhttp.MethodGet, 200)
	ops.Observer.Declare("/readyz", stdhttp.MethodGet, 200)
	ops.Observer.Declare("/readyz", stdhttp.MethodGet, 503)
	ops.Observer.Declare(unmatched, stdhttp.MethodGet, 404)
}

// readiness is the answer of /readyz.
type readiness struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// readyz answers 200 while the store answers its pings, 503 otherwise, with a short
// reason when withReason (the reason names the backend: for operators only). The
// reason is logged either way. The readiness check caches and bounds the pings: a
// probe never waits on a slow store beyond its timeout.
func readyz(check ports.Pinger, withReason bool, log *slog.Logger) stdhttp.HandlerFunc {
	return func(w stdhttp.ResponseWriter, r *stdhttp.Request) {
		status, answer := stdhttp.StatusOK, readiness{Status: "ok"}
		if check != nil {
			if err := check.Ping(r.Context()); err != nil {
				reason := "not ready"
				var nr *health.NotReady
				if errors.As(err, &nr) {
					reason = nr.Reason // short, and says nothing of hosts or credentials
				}
				log.WarnContext(r.Context(), "not ready", "reason", reason, "error", err)
				status, answer = stdhttp.StatusServiceUnavailable, readiness{Status: "unavailable"}
				if withReason {
					answer.Reason = reason
				}
			}
		}
		setSecurityHeaders(w.Header())
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(answer) // the client may be gone; nothing to do then
	}
}

// OperatorHandler serves what only the people who run pwreset should reach, on an
// address of their own (METRICS_ADDR): GET /metrics (when ops has it), and GET
// /readyz saying why it is not ready.
func OperatorHandler(ops Operations, log *slog.Logger) stdhttp.Handler {
	mux := stdhttp.NewServeMux()
	if ops.Metrics != nil {
		mux.Handle("GET /metrics", ops.Metrics)
	}
	mux.Handle("GET /readyz", readyz(ops.Readiness, true, log)) // GET patterns take HEAD too
	return mux
}
