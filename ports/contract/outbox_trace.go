package contract

import (
	"context"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// traceParent is a W3C traceparent as the tracing decorator stamps messages with.
const traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// TestOutboxTraceParent checks that a message's TraceParent, set when it is queued
// (Add, AddLimited), is kept through every claim (Claim, ClaimBatch) and retry, so that each delivery
// attempt joins the trace of the request that queued the message. Run by the stores
// that keep it so far (memory, MongoDB).
func TestOutboxTraceParent(t *testing.T, newOutbox func(t *testing.T) ports.Outbox) {
	ctx := context.Background()
	box := newOutbox(t)
	msg := message(1)
	msg.TraceParent = traceParent
	id, err := box.Add(ctx, msg, t0)
	if err != nil {
		t.Fatal(err)
	}
	for attempt := range 2 {
		e, err := box.Claim(ctx, "worker", t0.Add(time.Hour), lease)
		if err != nil || e.ID != id || e.Message.TraceParent != traceParent {
			t.Fatalf("claim %d: %v, traceparent %q, want %q", attempt+1, err, e.Message.TraceParent, traceParent)
		}
		if err := box.Reschedule(ctx, id, "worker", t0, "temporary"); err != nil {
			t.Fatal(err)
		}
	}
	batch, err := box.ClaimBatch(ctx, "batch", t0.Add(time.Hour), lease, 2)
	if err != nil || len(batch) != 1 || batch[0].Message.TraceParent != traceParent {
		t.Fatalf("ClaimBatch: %v, %d messages, want the one with traceparent %q", err, len(batch), traceParent)
	}
	other := newOutbox(t)
	limited, refused, err := other.AddLimited(ctx, ports.LimitedMessage{Message: msg}, t0)
	if err != nil || refused >= 0 {
		t.Fatalf("AddLimited: refused %d, %v", refused, err)
	}
	if got := get(t, other, limited).Message.TraceParent; got != traceParent {
		t.Errorf("AddLimited kept traceparent %q, want %q", got, traceParent)
	}
}
