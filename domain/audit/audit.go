// Package audit writes one structured log line per security event, under a stable
// name that alerting can match (reset_link.requested, password_reset.failed, ...),
// with the user id where known, the client IP and the request id: never a secret.
package audit

import (
	"context"
	"log/slog"
)

// Event names.
const (
	LinkRequested  = "reset_link.requested"
	LinkQueued     = "reset_link.queued"
	LinkSuppressed = "reset_link.suppressed"
	LinkSent       = "reset_link.sent"
	ResetSucceeded = "password_reset.succeeded"
	ResetFailed    = "password_reset.failed"
)

// Request identifies the request an event belongs to.
type Request struct {
	ID       string
	ClientIP string
}

type requestKey struct{}

// WithRequest returns ctx carrying r, for the events of that request.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestOf returns the request ctx carries, if any.
func RequestOf(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

// Log writes security events.
type Log struct{ log *slog.Logger }

// New returns an audit log writing to l; a nil l discards events.
func New(l *slog.Logger) *Log {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Log{log: l.With("audit", true)}
}

// Event writes one event with the request's id and client IP and the given
// attributes (key, value pairs or slog.Attr).
func (a *Log) Event(ctx context.Context, name string, attrs ...any) {
	r := RequestOf(ctx)
	if r.ID != "" {
		attrs = append(attrs, "request_id", r.ID)
	}
	if r.ClientIP != "" {
		attrs = append(attrs, "client_ip", r.ClientIP)
	}
	a.log.InfoContext(ctx, name, attrs...)
}
