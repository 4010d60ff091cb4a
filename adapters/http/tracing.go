package http

import (
	"strconv"

	"github.com/labstack/echo/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the request spans.
const tracerName = "github.com/pwreset/pwreset/adapters/http"

// traced makes a server span of every request, named by its method and route (never
// the path as sent, nor its query: the reset page's carries a signature), continuing
// the trace of an incoming W3C traceparent. The use cases' steps become its children
// through the request's context. Outermost, it sees the status the error handler
// answered. The span holds the method, the route, the status and the service's
// request id (to find the request's log lines); nothing the client sent.
func traced(tp trace.TracerProvider, r routes) echo.MiddlewareFunc {
	tracer := tp.Tracer(tracerName)
	prop := propagation.TraceContext{}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			req := c.Request()
			ctx := prop.Extract(req.Context(), propagation.HeaderCarrier(req.Header))
			method := methodLabel(req.Method)
			route := r.label(c)
			name := method
			if route != unmatched {
				name += " " + route
			}
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", method), attribute.String("http.route", route)))
			defer span.End()
			c.SetRequest(req.WithContext(ctx))
			err := next(c)
			if err != nil {
				// Answered here, so that the span holds the status sent (the handler
				// answers once: Echo's call after this one finds the answer sent).
				c.Echo().HTTPErrorHandler(c, err)
			}
			_, status := echo.ResolveResponseStatus(c.Response(), nil)
			span.SetAttributes(attribute.Int("http.response.status_code", status),
				attribute.String("pwreset.request_id", requestIDOf(c)))
			if status >= 500 {
				span.SetStatus(codes.Error, strconv.Itoa(status))
			}
			return err
		}
	}
}
