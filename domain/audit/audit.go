// Package audit writes one structured log line per security event, under a stable
// name that alerting can match (reset_link.requested, password_reset.failed, ...),
// with the user id where known, the client IP and the request id: never a secret.
package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Event names.
const (
	LinkRequested  = "reset_link.requested"
	LinkQueued     = "reset_link.queued"
	LinkSuppressed = "reset_link.suppressed"
	LinkSent       = "reset_link.sent"
	ResetSucceeded = "password_reset.succeeded"
	ResetFailed    = "password_reset.failed"
	// LinkByOperator is a link an operator issued with `pwreset link` or `send-link`,
	// outside the rate limits.
	LinkByOperator = "reset_link.issued_by_operator"
)

// Suffixes of the delivery events the mail dispatcher writes after the kind of the
// message: reset_link.sent, password_changed.retry, reset_link.failed.
const (
	DeliverySent   = ".sent"
	DeliveryRetry  = ".retry"
	DeliveryFailed = ".failed"
)

// Request identifies the request an event belongs to.
type Request struct {
	ID       string
	ClientIP string
}

type requestKey struct{}

// requestCtx carries a Request: one allocation, where context.WithValue takes two
// (its context and the Request boxed in an interface).
type requestCtx struct {
	context.Context
	r Request
}

// Value returns a *Request for requestKey, a pointer that needs no allocation.
func (c *requestCtx) Value(key any) any {
	if key == (requestKey{}) {
		return &c.r
	}
	return c.Context.Value(key)
}

// WithRequest returns ctx carrying r, for the events of that request.
func WithRequest(ctx context.Context, r Request) context.Context {
	return &requestCtx{Context: ctx, r: r}
}

// RequestOf returns the request ctx carries, if any.
func RequestOf(ctx context.Context) Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return *r
	}
	return Request{}
}

// Log writes security events.
type Log struct {
	log      *slog.Logger
	observer ports.EventObserver // nil: none
}

// New returns an audit log writing to l; a nil l discards events.
func New(l *slog.Logger) *Log {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Log{log: l.With("audit", true)}
}

// WithObserver returns a log that also tells o of every event (metrics count them),
// so that the use cases report each outcome once, here.
func (a *Log) WithObserver(o ports.EventObserver) *Log {
	return &Log{log: a.log, observer: o}
}

// Event writes one event with the request's id and client IP and the given
// attributes (key, value pairs or slog.Attr).
func (a *Log) Event(ctx context.Context, name string, attrs ...any) {
	if a.observer != nil {
		a.observer.Observe(ports.Event{Name: name, Reason: reasonOf(attrs)})
	}
	if !a.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	// Typed attributes in an array on the stack, as slog's own pairing would make
	// them: Logger.Log would allocate for the pairs and for the request's two.
	var buf [8]slog.Attr
	list := buf[:0]
	for len(attrs) > 0 {
		switch a := attrs[0].(type) {
		case slog.Attr:
			list, attrs = append(list, a), attrs[1:]
		case string:
			if len(attrs) == 1 {
				list, attrs = append(list, slog.String(badKey, a)), nil
				continue
			}
			list, attrs = append(list, slog.Any(a, attrs[1])), attrs[2:]
		default:
			list, attrs = append(list, slog.Any(badKey, a)), attrs[1:]
		}
	}
	a.write(ctx, name, list)
}

// EventAttrs is Event with typed attributes only, which the caller passes without
// boxing each value in an interface (an allocation per value).
func (a *Log) EventAttrs(ctx context.Context, name string, attrs ...slog.Attr) {
	if a.observer != nil {
		a.observer.Observe(ports.Event{Name: name, Reason: attrReason(attrs)})
	}
	if !a.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	var buf [8]slog.Attr
	a.write(ctx, name, append(buf[:0], attrs...))
}

// write writes the event name with list and the request's id and client IP.
func (a *Log) write(ctx context.Context, name string, list []slog.Attr) {
	r := RequestOf(ctx)
	if r.ID != "" {
		list = append(list, slog.String("request_id", r.ID))
	}
	if r.ClientIP != "" {
		list = append(list, slog.String("client_ip", r.ClientIP))
	}
	Write(ctx, a.log, slog.LevelInfo, name, list...)
}

// Write is l.LogAttrs without the caller's program counter, which slog takes for
// every line (runtime.Callers, a few per cent of a link request's CPU) whether the
// handler writes a source or not; pwreset's handlers do not (no AddSource).
func Write(ctx context.Context, l *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) {
	if !l.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(attrs...)
	_ = l.Handler().Handle(ctx, r) // a log line that cannot be written has nowhere to go
}

// attrReason returns the "reason" attribute of attrs, or "".
func attrReason(attrs []slog.Attr) string {
	for _, a := range attrs {
		if a.Key == "reason" {
			return a.Value.String()
		}
	}
	return ""
}

// badKey is slog's key for a value without one.
const badKey = "!BADKEY"

// reasonOf returns the "reason" attribute of attrs, or "".
func reasonOf(attrs []any) string {
	for i := 0; i < len(attrs); i++ {
		switch a := attrs[i].(type) {
		case slog.Attr:
			if a.Key == "reason" {
				return a.Value.String()
			}
		case string:
			if i+1 < len(attrs) {
				if a == "reason" {
					if v, ok := attrs[i+1].(string); ok {
						return v
					}
				}
				i++ // skip the value
			}
		}
	}
	return ""
}
