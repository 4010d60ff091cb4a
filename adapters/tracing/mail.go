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
}

// NewMailer traces inner's deliveries with tp's tracer.
func NewMailer(inner ports.Mailer, tp trace.TracerProvider) *Mailer {
	return &Mailer{inner: inner, tracer: tp.Tracer(ScopeName)}
}

// Send implements ports.Mailer. The span says the kind of message and how the
// provider answered (its status, whether the failure is permanent), never the
// recipient, the body or the provider's words.
func (m *Mailer) Send(ctx context.Context, msg ports.Message) (string, error) {
	ctx, span := m.tracer.Start(withTraceParent(ctx, msg.TraceParent), "mail.Send",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("pwreset.mail.kind", msg.Kind)))
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
	span.SetAttributes(Outcome.String(kind), attribute.Int("pwreset.mail.status", se.Status))
	span.SetStatus(codes.Error, kind)
	return id, err
}
