package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// PasswordHasher traces the hashes a request asks for (through ports.HashWith).
type PasswordHasher struct {
	ports.PasswordHasher
	steps steps
}

// NewPasswordHasher traces inner's hashes with tp's tracer.
func NewPasswordHasher(inner ports.PasswordHasher, tp trace.TracerProvider) *PasswordHasher {
	return &PasswordHasher{PasswordHasher: inner, steps: newSteps(tp, "hasher")}
}

// HashContext implements ports.ContextHasher: the hash as a step of ctx's trace.
func (h *PasswordHasher) HashContext(ctx context.Context, password string) (string, error) {
	ctx, span := h.steps.start(ctx, "Hash")
	hash, err := ports.HashWith(ctx, h.PasswordHasher, password)
	end(span, err)
	return hash, err
}
