package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// BreachChecker traces the calls of a ports.BreachChecker. Whether the password was
// found in a breach is not recorded: the password policy's answer says so already,
// and the span should say nothing of the password.
type BreachChecker struct {
	inner ports.BreachChecker
	steps steps
}

// NewBreachChecker traces inner's calls with tp's tracer.
func NewBreachChecker(inner ports.BreachChecker, tp trace.TracerProvider) *BreachChecker {
	return &BreachChecker{inner: inner, steps: newSteps(tp, "breach")}
}

// Breached implements ports.BreachChecker.
func (b *BreachChecker) Breached(ctx context.Context, password string) (bool, error) {
	ctx, span := b.steps.start(ctx, "Breached")
	found, err := b.inner.Breached(ctx, password)
	end(span, err)
	return found, err
}
