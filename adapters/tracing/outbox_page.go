package tracing

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/pwreset/pwreset/ports"
)

// pageStore is an outbox that also reads and writes a whole page of messages at
// once (MongoDB's, for campaigns; see domain/campaign.PageQueue).
type pageStore interface {
	LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error)
	AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error)
}

// PageOutbox is an Outbox whose store also works a page at a time: it keeps those
// calls visible through the tracing, traced as well, so that a campaign on such a
// store does not fall back to one user at a time when tracing is on.
type PageOutbox struct {
	*Outbox
	page pageStore
}

// Wrap traces inner's calls with tp's tracer, as NewOutbox does, and keeps its
// page calls (LatestEvents, AddLimitedMany) if it has them.
func Wrap(inner ports.Outbox, tp trace.TracerProvider) ports.Outbox {
	o := NewOutbox(inner, tp)
	if p, ok := inner.(pageStore); ok {
		return &PageOutbox{Outbox: o, page: p}
	}
	return o
}

// LatestEvents returns the time of the newest event of each of keys that has one.
func (o *PageOutbox) LatestEvents(ctx context.Context, keys []string) (map[string]time.Time, error) {
	ctx, span := o.steps.start(ctx, "LatestEvents")
	at, err := o.page.LatestEvents(ctx, keys)
	end(span, err)
	return at, err
}

// AddLimitedMany stores each message with its limits, each stamped with the
// traceparent of this step, as AddLimited stores one.
func (o *PageOutbox) AddLimitedMany(ctx context.Context, ms []ports.LimitedMessage, now time.Time) ([]int, error) {
	ctx, span := o.steps.start(ctx, "AddLimitedMany")
	stampedMs := make([]ports.LimitedMessage, len(ms))
	for i, m := range ms {
		m.Message = stamped(ctx, m.Message)
		stampedMs[i] = m
	}
	refused, err := o.page.AddLimitedMany(ctx, stampedMs, now)
	end(span, err)
	return refused, err
}
