package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/pwreset/pwreset/domain/audit"
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
