// Package http serves pwreset over HTTP with Echo. It answers exactly as
// django-rest-registration does (paths, fields, messages, status codes), so that a
// front end written for it works unchanged.
package http

import (
	"context"
	"log/slog"
	stdhttp "net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// DefaultPrefix is where django-rest-registration is usually mounted.
const DefaultPrefix = "/api/v1/accounts/"

// The endpoints' names, as DRF's metadata gives them; the client's rate is counted
// under them.
const (
	sendLinkName = "Send Reset Password Link"
	resetName    = "Reset Password"
)

// Config holds the settings that change what the API answers.
type Config struct {
	// Prefix is the base path of the endpoints (API_PREFIX); empty means DefaultPrefix.
	Prefix string
	// CORSAllowedOrigins lists the origins of front ends on other hosts
	// (CORS_ALLOWED_ORIGINS); with none, no CORS header is ever sent.
	CORSAllowedOrigins []string
	// UseEmail makes send-reset-password-link take {"email"} instead of {"login"}
	// (SEND_RESET_PASSWORD_LINK_SERIALIZER_USE_EMAIL).
	UseEmail bool
	// PasswordConfirm makes reset-password require password_confirm
	// (RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM).
	PasswordConfirm bool
	// Page is the hosted reset page, the front end the e-mailed link can open.
	Page PageConfig
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// (TRUSTED_PROXIES); with none, the client is the peer of the connection.
	TrustedProxies []netip.Prefix
	// ClientIPv6Prefix is how many leading bits of an IPv6 address name one client in
	// the per-IP limits (CLIENT_IPV6_PREFIX); 0 means DefaultClientIPv6Prefix.
	ClientIPv6Prefix int
	// SendLinkRate and ResetRate limit the requests of one client IP to each endpoint
	// (RATE_LIMIT_SEND_LINK, RATE_LIMIT_RESET_PASSWORD); a zero Rate is no limit.
	SendLinkRate Rate
	ResetRate    Rate
	// HashQueue admits resets to password hashing (nil: no queue of its own).
	HashQueue HashQueue
	// Operations hold the metrics and readiness endpoints.
	Operations
	// Tracing, when set, makes a span of every request (OpenTelemetry); nil: none,
	// and an incoming traceparent is ignored.
	Tracing trace.TracerProvider
}

// HashQueue is where resets wait for a password hashing slot (the hash pool). Admit
// returns once the request may hash, with the release to call when it is done, or
// the context's error once the client has gone, or an error wrapping
// ports.ErrHasherBusy when the wait has lasted too long.
type HashQueue interface {
	Admit(ctx context.Context) (release func(), err error)
}

// Rate is at most Count requests in any Window.
type Rate struct {
	Count  int
	Window time.Duration
}

// API is pwreset's HTTP interface. It implements net/http.Handler.
type API struct {
	echo *echo.Echo
}

// New returns the API serving the two use cases. It panics if a CORS origin is
// neither scheme://host[:port] nor "*": a configuration error, to catch at start.
func New(cfg Config, sender *reset.LinkSender, resetter *reset.Resetter, limiter ports.RateLimiter,
	clock ports.Clock, log *slog.Logger) *API {
	if log == nil {
		log = slog.Default()
	}
	e := echo.New()
	e.Logger = log
	e.IPExtractor = clientIP(cfg.TrustedProxies)
	e.HTTPErrorHandler = errorHandler(log)
	// Outermost first: every answer, errors and preflights included, gets an id and
	// the security headers, and is logged once with its final status.
	r := routes{}
	if cfg.Tracing != nil {
		e.Use(traced(cfg.Tracing, r))
	}
	e.Use(requestID, securityHeaders, accessLog(log), observe(cfg.Observer, r), refuseBadFraming, middleware.Recover())
	if len(cfg.CORSAllowedOrigins) > 0 {
		e.Use(cors(cfg.CORSAllowedOrigins))
	}

	h := &handlers{cfg: cfg, sender: sender, resetter: resetter, limiter: limiter, clock: clock}
	prefix := slashed(cfg.Prefix, DefaultPrefix)
	endpoints := []string{prefix + "send-reset-password-link", prefix + "reset-password"}
	route(e, endpoints[0], h.endpoint(sendLinkName, cfg.SendLinkRate, h.sendLink))
	route(e, endpoints[1], h.endpoint(resetName, cfg.ResetRate, h.resetPassword))
	e.GET("/healthz", healthz)
	e.HEAD("/healthz", healthz) // load balancers often probe with HEAD
	if cfg.Page.Enabled {
		servePage(e, h, prefix, log)
	}
	serveOperations(e, cfg.Operations, r, endpoints, log) // last: it labels every route
	return &API{echo: e}
}

// ServeHTTP implements net/http.Handler.
func (a *API) ServeHTTP(w stdhttp.ResponseWriter, r *stdhttp.Request) {
	a.echo.ServeHTTP(w, r)
}

// route serves path with and without its trailing slash (DRR's URLs end in one, not
// every front end writes it) and for every method: the endpoint answers 405 itself,
// after DRF's fashion.
func route(e *echo.Echo, path string, h echo.HandlerFunc) {
	e.Any(path, h)
	e.Any(path+"/", h)
}

// slashed makes p, the API prefix or the page's path, a path that starts and ends
// with a slash; empty means def.
func slashed(p, def string) string {
	if p == "" {
		return def
	}
	if p = strings.Trim(p, "/"); p == "" {
		return "/"
	}
	return "/" + p + "/"
}

func healthz(c *echo.Context) error {
	return c.JSON(stdhttp.StatusOK, map[string]string{"status": "ok"})
}
