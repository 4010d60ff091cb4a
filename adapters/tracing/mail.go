package tracing

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// Mailer makes a span of every delivery attempt through a ports.Mailer: the child of
// the step that queued the message when it carries a traceparent, so that a link
// request and its delivery form one trace, however long after and on whichever
// instance the delivery happens; a trace of its own otherwise.
type Mailer struct {
	inner  ports.Mailer
	tracer trace.Tracer
	name   string // of the span
	prefix string // of the attributes
}

// NewMailer traces inner's e-mail deliveries with tp's tracer: spans "mail.Send".
func NewMailer(inner ports.Mailer, tp trace.TracerProvider) *Mailer {
	return &Mailer{inner: inner, tracer: tp.Tracer(ScopeName), name: "mail.Send", prefix: "pwreset.mail."}
}

// NewEventSender traces inner's event deliveries (EVENTS_URL) with tp's tracer:
// spans "event.Send", whose attributes say pwreset.event.kind and .status.
func NewEventSender(inner ports.Mailer, tp trace.TracerProvider) *Mailer {
	return &Mailer{inner: inner, tracer: tp.Tracer(ScopeName), name: "event.Send", prefix: "pwreset.event."}
}

// Send implements ports.Mailer. The span says the kind of message and how the
// provider answered (its status, whether the failure is permanent), never the
// recipient, the body or the provider's words.
func (m *Mailer) Send(ctx context.Context, msg ports.Message) (string, error) {
	ctx, span := m.tracer.Start(withTraceParent(ctx, msg.TraceParent), m.name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String(m.prefix+"kind", msg.Kind)))
	defer span.End()
	id, err := m.inner.Send(ctx, msg)
	if err == nil {
		span.SetAttributes(Outcome.String("sent"))
		return id, nil
	}
	var se *ports.SendError
	if !errors.As(err, &se) {
		kind, _ := outcome(err)
		span.SetAttributes(Outcome.String(kind))
		span.SetStatus(codes.Error, kind)
		return id, err
	}
	kind := "temporary"
	if se.Permanent {
		kind = "permanent"
	}
	span.SetAttributes(Outcome.String(kind), attribute.Int(m.prefix+"status", se.Status))
	span.SetStatus(codes.Error, kind)
	return id, err
}
