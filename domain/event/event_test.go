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

// TestIDOf: an id derived from the same parts is the same each time, differs for
// other parts (and for the same text cut elsewhere), and has NewID's form.
func TestIDOf(t *testing.T) {
	a := event.IDOf("outbox-1", event.LinkSent)
	if a != event.IDOf("outbox-1", event.LinkSent) {
		t.Error("IDOf is not the same for the same parts")
	}
	for _, other := range []string{event.IDOf("outbox-1", event.LinkFailed), event.IDOf("outbox-2", event.LinkSent),
		event.IDOf("outbox-1" + event.LinkSent), event.IDOf("outbox-", "1"+event.LinkSent)} {
		if other == a {
			t.Errorf("IDOf gave %q for other parts", a)
		}
	}
	if fresh := event.NewID(); len(a) != len(fresh) || !strings.HasPrefix(a, "evt_") || strings.ToLower(a) != a {
		t.Errorf("IDOf = %q, want NewID's form (%q)", a, fresh)
	}
}
