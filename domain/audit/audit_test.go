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
