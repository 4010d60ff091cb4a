package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

func TestEventCarriesTheRequest(t *testing.T) {
	var buf bytes.Buffer
	a := audit.New(slog.New(slog.NewJSONHandler(&buf, nil)))
	ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-1", ClientIP: "203.0.113.7"})
	a.Event(ctx, audit.ResetFailed, "reason", "invalid_signature")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"msg": "password_reset.failed", "reason": "invalid_signature",
		"request_id": "req-1", "client_ip": "203.0.113.7", "audit": true} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v (line %s)", k, line[k], want, buf.String())
		}
	}
}

func TestNilLoggerDiscards(t *testing.T) {
	audit.New(nil).Event(context.Background(), audit.LinkSent) // must not panic
}

// events records what an observer is told.
type events []ports.Event

func (e *events) Observe(ev ports.Event) { *e = append(*e, ev) }

func TestObserverIsToldOfEveryEventWithItsReason(t *testing.T) {
	var seen events
	a := audit.New(nil).WithObserver(&seen)
	ctx := context.Background()
	a.Event(ctx, audit.LinkSuppressed, "user_id", "7", "reason", "cooldown")
	a.Event(ctx, audit.ResetFailed, slog.String("reason", "expired"))
	a.Event(ctx, audit.LinkQueued, "user_id", "reason") // a value named "reason" is no reason
	want := events{{Name: audit.LinkSuppressed, Reason: "cooldown"}, {Name: audit.ResetFailed, Reason: "expired"},
		{Name: audit.LinkQueued}}
	if !slices.Equal(seen, want) {
		t.Errorf("observed %v, want %v", seen, want)
	}
}

// TestEventWritesWhatSlogWould: an event's line, built on the stack and written
// without a caller's program counter, is what slog's Logger.Info writes for the same
// arguments (the time aside), a value without a key included; a key without a value,
// last, no longer takes the request's id for its value; nothing is written below
// the handler's level.
func TestEventWritesWhatSlogWould(t *testing.T) {
	noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	args := []any{"user_id", "42", slog.Int("n", 3), "odd", 7, 8.5}
	var got, want bytes.Buffer
	ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-1", ClientIP: "203.0.113.7"})
	audit.New(slog.New(slog.NewJSONHandler(&got, noTime))).Event(ctx, audit.LinkQueued, args...)
	slog.New(slog.NewJSONHandler(&want, noTime)).With("audit", true).InfoContext(ctx, audit.LinkQueued,
		append(args, "request_id", "req-1", "client_ip", "203.0.113.7")...)
	if got.String() != want.String() {
		t.Fatalf("event %s, slog %s", got.String(), want.String())
	}
	got.Reset()
	audit.New(slog.New(slog.NewJSONHandler(&got, noTime))).Event(ctx, audit.LinkQueued, "last")
	if want := `"!BADKEY":"last","request_id":"req-1","client_ip":"203.0.113.7"}`; !bytes.Contains(got.Bytes(), []byte(want)) {
		t.Fatalf("event %s, want %s", got.String(), want)
	}
	var quiet bytes.Buffer
	audit.New(slog.New(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn}))).Event(ctx, audit.LinkQueued)
	if quiet.Len() != 0 {
		t.Fatalf("an event below the level was written: %s", quiet.String())
	}
}

// TestEventAttrsAsEvent: EventAttrs writes the line Event writes for the same
// attributes, and tells the observer the same reason.
func TestEventAttrsAsEvent(t *testing.T) {
	noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-1", ClientIP: "203.0.113.7"})
	var got, want bytes.Buffer
	var seenGot, seenWant events
	audit.New(slog.New(slog.NewJSONHandler(&got, noTime))).WithObserver(&seenGot).
		EventAttrs(ctx, audit.LinkSuppressed, slog.String("user_id", "7"), slog.String("reason", "cooldown"))
	audit.New(slog.New(slog.NewJSONHandler(&want, noTime))).WithObserver(&seenWant).
		Event(ctx, audit.LinkSuppressed, "user_id", "7", "reason", "cooldown")
	if got.String() != want.String() || got.Len() == 0 {
		t.Errorf("EventAttrs wrote %s, Event %s", got.String(), want.String())
	}
	if !slices.Equal(seenGot, seenWant) || seenGot[0].Reason != "cooldown" {
		t.Errorf("EventAttrs observed %v, Event %v", seenGot, seenWant)
	}
	var quiet bytes.Buffer
	audit.New(slog.New(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn}))).
		EventAttrs(ctx, audit.LinkQueued, slog.String("user_id", "7"))
	if quiet.Len() != 0 {
		t.Fatalf("an event below the level was written: %s", quiet.String())
	}
}

type otherKey struct{}

// TestWithRequestIsAContext: the request context keeps its parent's values,
// deadline and cancellation, and the innermost request wins, as with WithValue.
func TestWithRequestIsAContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	ctx := audit.WithRequest(audit.WithRequest(parent, audit.Request{ID: "outer"}), audit.Request{ID: "inner", ClientIP: "192.0.2.1"})
	if r := audit.RequestOf(ctx); r != (audit.Request{ID: "inner", ClientIP: "192.0.2.1"}) {
		t.Errorf("RequestOf = %+v, want the inner request", r)
	}
	if v := ctx.Value(otherKey{}); v != "kept" {
		t.Errorf("parent's value = %v, want kept", v)
	}
	if r := audit.RequestOf(context.Background()); r != (audit.Request{}) {
		t.Errorf("RequestOf(Background) = %+v, want none", r)
	}
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done() // a parent's cancellation reaches contexts made from it
	if ctx.Err() == nil {
		t.Error("the request context was not cancelled with its parent")
	}
}
