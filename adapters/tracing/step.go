package tracing

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// ScopeName is the instrumentation scope of the spans of this package.
const ScopeName = "github.com/pwreset/pwreset/adapters/tracing"

// Outcome is the attribute that says how a step ended when it did not simply succeed.
const Outcome = attribute.Key("pwreset.outcome")

// steps starts the spans of one port.
type steps struct {
	tracer trace.Tracer
	port   string
}

func newSteps(tp trace.TracerProvider, port string) steps {
	return steps{tracer: tp.Tracer(ScopeName), port: port}
}

// start begins the span of method when ctx is in a trace; otherwise it returns ctx
// and a span that records nothing.
func (s steps) start(ctx context.Context, method string) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsValid() {
		return ctx, parent // not recording: ending it is a no-op
	}
	return s.tracer.Start(ctx, s.port+"."+method, trace.WithSpanKind(trace.SpanKindInternal))
}

// end ends span with the outcome of err.
func end(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		kind, failed := outcome(err)
		span.SetAttributes(Outcome.String(kind))
		if failed {
			span.SetStatus(codes.Error, kind)
		}
	}
	span.End()
}

// outcomes name the errors of the ports that a span may say; expected ones (a user
// not found, a message nobody holds) are outcomes, not failures.
var outcomes = []struct {
	err    error
	kind   string
	failed bool
}{
	{ports.ErrUserNotFound, "not_found", false},
	{ports.ErrNothingDue, "nothing_due", false},
	{ports.ErrMessageNotFound, "not_found", false},
	{ports.ErrPasswordChanged, "password_changed", false},
	{ports.ErrPasswordTooLong, "too_long", false},
	{ports.ErrLeaseLost, "lease_lost", true},
	{ports.ErrUnavailable, "unavailable", true},
	{ports.ErrHasherBusy, "busy", true},
	{context.Canceled, "canceled", true},
	{context.DeadlineExceeded, "deadline_exceeded", true},
}

// outcome names err by kind alone: its text may quote a login or an address.
func outcome(err error) (kind string, failed bool) {
	for _, o := range outcomes {
		if errors.Is(err, o.err) {
			return o.kind, o.failed
		}
	}
	return "error", true
}
