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

// maxRequestIDLen bounds a caller's request id: it is echoed and logged on every line.
const maxRequestIDLen = 128

// requestID keeps the caller's X-Request-Id when it is sane, so that a request can be
// followed across services, and makes one up otherwise. The answer carries it, and
// log lines read it from there (requestIDOf).
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		// The domain's audit events carry the request's id and client.
		ctx := audit.WithRequest(c.Request().Context(), audit.Request{ID: id, ClientIP: c.RealIP()})
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

func requestIDOf(c *echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// saneRequestID accepts what tracing systems send (UUIDs, hex, base64, dotted ids)
// and nothing that could garble a log line.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == '-', r == '_', r == '.', r == ':', r == '/', r == '+', r == '=', r == '@':
		default:
			return false
		}
	}
	return true
}

// securityHeaders marks every answer as not to be cached (they say whether a user
// exists, and the demo page's address holds a signature) nor sniffed, and keeps that
// address out of Referer headers.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set(echo.HeaderReferrerPolicy, "no-referrer")
		return next(c)
	}
}

// accessLog writes one line per request. It has the error handler answer first, so
// that the line holds the status actually sent. The query string is left out: the
// demo page's carries a signature.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true,
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogRemoteIP: true,
		LogValuesFunc: func(c *echo.Context, v middleware.RequestLoggerValues) error {
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("request_id", requestIDOf(c)),
				slog.String("client_ip", v.RemoteIP),
			)
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
