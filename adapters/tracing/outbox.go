package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// Outbox traces the calls of a ports.Outbox that the use cases make (adding, holding
// and releasing messages), and stamps each message it stores with the traceparent of
// its step, so that the message's delivery joins the trace. The dispatcher's and the
// outbox command's calls pass through untraced: they belong to no request.
type Outbox struct {
	ports.Outbox
	steps steps
}

// NewOutbox traces inner's calls with tp's tracer.
func NewOutbox(inner ports.Outbox, tp trace.TracerProvider) *Outbox {
	return &Outbox{Outbox: inner, steps: newSteps(tp, "outbox")}
}

// Add implements ports.Outbox; the use cases hold the password-changed notice back
// this way.
func (o *Outbox) Add(ctx context.Context, msg ports.Message, now time.Time) (string, error) {
	ctx, span := o.steps.start(ctx, "Add")
	id, err := o.Outbox.Add(ctx, stamped(ctx, msg), now)
	end(span, err)
	return id, err
}

// Discard implements ports.Outbox.
func (o *Outbox) Discard(ctx context.Context, msg ports.Message, reason string, now time.Time) (string, error) {
	ctx, span := o.steps.start(ctx, "Discard")
	id, err := o.Outbox.Discard(ctx, stamped(ctx, msg), reason, now)
	end(span, err)
	return id, err
}

// AddLimited implements ports.Outbox.
func (o *Outbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	ctx, span := o.steps.start(ctx, "AddLimited")
	m.Message = stamped(ctx, m.Message)
	id, refused, err := o.Outbox.AddLimited(ctx, m, now)
	if refused >= 0 {
		span.SetAttributes(Outcome.String("limited"))
	}
	end(span, err)
	return id, refused, err
}

// LatestEvent implements ports.Outbox.
func (o *Outbox) LatestEvent(ctx context.Context, key string) (time.Time, error) {
	ctx, span := o.steps.start(ctx, "LatestEvent")
	t, err := o.Outbox.LatestEvent(ctx, key)
	end(span, err)
	return t, err
}

// Release implements ports.Outbox: the held notice let go.
func (o *Outbox) Release(ctx context.Context, id string, at time.Time) error {
	ctx, span := o.steps.start(ctx, "Release")
	err := o.Outbox.Release(ctx, id, at)
	end(span, err)
	return err
}

// Delete implements ports.Outbox: the held notice taken back.
func (o *Outbox) Delete(ctx context.Context, id string) error {
	ctx, span := o.steps.start(ctx, "Delete")
	err := o.Outbox.Delete(ctx, id)
	end(span, err)
	return err
}

// stamped returns msg carrying the traceparent of ctx's span, if ctx is in a trace.
func stamped(ctx context.Context, msg ports.Message) ports.Message {
	if tp := TraceParent(ctx); tp != "" {
		msg.TraceParent = tp
	}
	return msg
}

// TraceParent returns the W3C traceparent of ctx's span; empty outside a trace.
func TraceParent(ctx context.Context) string {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	return carrier.Get("traceparent")
}

// withTraceParent returns ctx continuing the trace of traceparent, or ctx as it is
// when traceparent is empty or malformed.
func withTraceParent(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": traceparent})
}
