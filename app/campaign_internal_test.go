package app

import (
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/pwreset/pwreset/adapters/tracing"
	"github.com/pwreset/pwreset/domain/reset"
)

// TestListerBeneathWrappers: the campaign finds the store's listing beneath the
// active-users policy and tracing, as ProvideUserStore stacks them.
func TestListerBeneathWrappers(t *testing.T) {
	store := memory.NewUserStore([]string{"username"})
	wrapped := reset.ActiveUsersOnly(tracing.NewUserStore(store, noop.NewTracerProvider()))
	if l, err := lister(wrapped); err != nil || l != store {
		t.Errorf("lister: %v, %v; want the memory store", l, err)
	}
}
