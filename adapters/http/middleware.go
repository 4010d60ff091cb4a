package http

import (
	"crypto/rand"
	"log/slog"
	stdhttp "net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/pwreset/pwreset/domain/audit"
)

// maxClientRequestIDLen bounds a caller's request id: it is logged on every line.
const maxClientRequestIDLen = 64

// clientRequestIDKey is where requestID keeps the caller's own X-Request-Id.
const clientRequestIDKey = "client_request_id"

// requestID gives every request an id of the service's own, which the answer carries
// and every log line and audit event names: a caller cannot choose it, so it cannot
// tie its requests to another's or forge a trail. The caller's X-Request-Id, when
// short and safe, is logged next to it (client_request_id), to follow a request
// across services.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		id := rand.Text()
		// The name is canonical already: Header.Set would check it on every answer.
		c.Response().Header()[echo.HeaderXRequestID] = []string{id}
		if own := c.Request().Header.Get(echo.HeaderXRequestID); safeRequestID(own) {
			c.Set(clientRequestIDKey, own)
		}
		// The domain's audit events carry the request's id and client; the client is
		// worked out here once, and read back by clientIPOf.
		ctx := audit.WithRequest(c.Request().Context(), audit.Request{ID: id, ClientIP: c.RealIP()})
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// clientIPOf is c.RealIP() as requestID found it, without parsing the peer's address
// (and any X-Forwarded-For) again.
func clientIPOf(c *echo.Context) string {
	if r := audit.RequestOf(c.Request().Context()); r.ID != "" {
		return r.ClientIP
	}
	return c.RealIP()
}

func requestIDOf(c *echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// requestIDAttrs are the log attributes naming the request: the service's id, and
// the caller's next to it when it sent one.
func requestIDAttrs(c *echo.Context) []slog.Attr { return appendRequestIDAttrs(nil, c) }

// appendRequestIDAttrs appends requestIDAttrs(c) to attrs.
func appendRequestIDAttrs(attrs []slog.Attr, c *echo.Context) []slog.Attr {
	attrs = append(attrs, slog.String("request_id", requestIDOf(c)))
	if own, ok := c.Get(clientRequestIDKey).(string); ok {
		attrs = append(attrs, slog.String(clientRequestIDKey, own))
	}
	return attrs
}

// safeRequestID accepts what tracing systems send (UUIDs, hex, dotted ids) and
// nothing that could garble a log line or pass for something else in it.
func safeRequestID(id string) bool {
	if id == "" || len(id) > maxClientRequestIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// securityHeaders marks every answer as not to be cached (they say whether a user
// exists, and the reset page's address holds a signature) nor sniffed, and keeps that
// address out of Referer headers.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		setSecurityHeaders(c.Response().Header())
		return next(c)
	}
}

// setSecurityHeaders sets the headers of securityHeaders; conn sets them too.
// The names are canonical already, and the values are shared: Header.Set would
// canonicalize the names and allocate a slice for each value, on every answer.
func setSecurityHeaders(h stdhttp.Header) {
	h[echo.HeaderCacheControl] = noStore
	h[echo.HeaderXContentTypeOptions] = noSniff
	h[echo.HeaderReferrerPolicy] = noReferrer
}

// The values of setSecurityHeaders, full slices so that an append copies them.
var (
	noStore    = []string{"no-store"}[:1:1]
	noSniff    = []string{"nosniff"}[:1:1]
	noReferrer = []string{"no-referrer"}[:1:1]
)

// accessLog writes one line per request. It has the error handler answer first, so
// that the line holds the status actually sent. The query string is left out: the
// reset page's carries a signature.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogValuesFunc: func(c *echo.Context, v middleware.RequestLoggerValues) error {
			ctx := c.Request().Context()
			if !log.Enabled(ctx, slog.LevelInfo) {
				return nil
			}
			attrs := [7]slog.Attr{
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("client_ip", clientIPOf(c)),
			}
			audit.Write(ctx, log, slog.LevelInfo, "request", appendRequestIDAttrs(attrs[:5], c)...)
			return nil
		},
	})
}

// cors lets front ends on the given origins call the API, with cookies if they send
// them (withCredentials), as django-cors-headers would be set up for DRR.
func cors(origins []string) echo.MiddlewareFunc {
	cfg := middleware.CORSConfig{
		AllowMethods: []string{stdhttp.MethodGet, stdhttp.MethodPost, stdhttp.MethodOptions},
		AllowHeaders: []string{
			echo.HeaderContentType, echo.HeaderAccept, echo.HeaderAuthorization,
			echo.HeaderXRequestedWith, "X-CSRFToken", echo.HeaderXRequestID,
		},
		AllowCredentials: true,
		// Front ends may read these: the id to report a problem, the wait after a 503.
		ExposeHeaders: []string{echo.HeaderXRequestID, echo.HeaderRetryAfter},
		MaxAge:        86400, // django-cors-headers' default
	}
	if slices.Contains(origins, "*") {
		// Any origin, as django-cors-headers allows them all: a wildcard cannot go with
		// credentials, so the caller's origin is echoed. No answer here depends on a
		// cookie, so this opens nothing to other sites that they cannot get anyway.
		cfg.UnsafeAllowOriginFunc = func(_ *echo.Context, origin string) (string, bool, error) {
			return origin, true, nil
		}
		return middleware.CORSWithConfig(cfg)
	}
	for _, o := range origins {
		// Browsers send an origin without a trailing slash; configurations often have one.
		cfg.AllowOrigins = append(cfg.AllowOrigins, strings.TrimSuffix(o, "/"))
	}
	return middleware.CORSWithConfig(cfg)
}
