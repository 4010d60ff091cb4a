package tracing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/adapters/tracing"
	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// pageBox is an outbox that also works a page at a time, as MongoDB's does.
type pageBox struct {
	ports.Outbox
	stored []ports.LimitedMessage
}

func (b *pageBox) LatestEvents(context.Context, []string) (map[string]time.Time, error) {
	return map[string]time.Time{"k": time.Unix(1, 0)}, nil
}

func (b *pageBox) AddLimitedMany(_ context.Context, ms []ports.LimitedMessage, _ time.Time) ([]int, error) {
	b.stored = ms
	return make([]int, len(ms)), nil
}

type pageQueue interface {
	LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error)
	AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error)
}

// TestWrapKeepsPageCalls: tracing an outbox that works a page at a time keeps
// those calls (a campaign would otherwise fall back to one user at a time when
// tracing is on), traces them and stamps each stored message; an outbox without
// them gains none.
func TestWrapKeepsPageCalls(t *testing.T) {
	tp, exp := newProvider(t)
	if _, ok := tracing.Wrap(mocks.NewMockOutbox(gomock.NewController(t)), tp).(pageQueue); ok {
		t.Fatal("an outbox without page calls gained them")
	}
	inner := &pageBox{}
	q, ok := tracing.Wrap(inner, tp).(pageQueue)
	if !ok {
		t.Fatal("the page calls are hidden by the tracing")
	}
	ctx, parent := requestCtx(t, tp)
	if at, err := q.LatestEvents(ctx, []string{"k"}); err != nil || len(at) != 1 {
		t.Fatalf("LatestEvents: %v, %v", at, err)
	}
	ms := []ports.LimitedMessage{{Message: ports.Message{Kind: "breach_reset"}}, {Message: ports.Message{Kind: "breach_reset"}}}
	if _, err := q.AddLimitedMany(ctx, ms, time.Now()); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans()
	if len(spans) != 2 || spans[0].Name != "outbox.LatestEvents" || spans[1].Name != "outbox.AddLimitedMany" {
		t.Fatalf("spans %v, want outbox.LatestEvents and outbox.AddLimitedMany", spans)
	}
	want := fmt.Sprintf("00-%s-%s-01", parent.SpanContext().TraceID(), spans[1].SpanContext.SpanID())
	for i, m := range inner.stored {
		if m.Message.TraceParent != want {
			t.Errorf("message %d stored traceparent %q, want %q", i, m.Message.TraceParent, want)
		}
	}
	if ms[0].Message.TraceParent != "" {
		t.Error("the caller's messages were changed")
	}
}
