package event_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/event"
)

func TestMessage(t *testing.T) {
	at := time.Date(2026, 12, 6, 16, 30, 0, 0, time.FixedZone("CET", 3600))
	id := event.NewID()
	msg, err := event.Message(id, event.LinkFailed, "u-1", at)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Kind != "event.reset_link.failed" || !event.IsKind(msg.Kind) || event.TypeOf(msg.Kind) != event.LinkFailed ||
		event.ID(msg) != id || msg.UserID != "u-1" {
		t.Errorf("message %+v", msg)
	}
	if want := `{"type":"reset_link.failed","timestamp":"2026-12-06T15:30:00Z","data":{"user_id":"u-1"}}`; msg.Text != want {
		t.Errorf("body %s, want %s", msg.Text, want)
	}
	if msg.From != "" || msg.Subject != "" || msg.HTML != "" || strings.Contains(msg.To, "@") {
		t.Errorf("an event carries e-mail fields: %+v", msg)
	}
	if event.IsKind("reset_link") || event.TypeOf("password_changed") != "" || event.Known("user.deleted") {
		t.Error("an e-mail kind or an unknown type taken for an event")
	}
	if a, b := event.NewID(), event.NewID(); a == b || !strings.HasPrefix(a, "evt_") || len(a) < 20 {
		t.Errorf("ids %q and %q", a, b)
	}
}
