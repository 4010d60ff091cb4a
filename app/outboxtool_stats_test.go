package app_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// TestPrintStatsSplitsMailAndEvents: `pwreset outbox` shows what waits and what
// failed as e-mails and events apart (a receiver that is down piles up events
// while e-mail goes out), and the age of the oldest unsent message of each.
func TestPrintStatsSplitsMailAndEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	clock := portstest.NewClock(now)
	box := memory.NewOutbox()
	add := func(kind string, ago time.Duration) string {
		t.Helper()
		id, err := box.Add(ctx, ports.Message{Kind: kind, UserID: "7", To: "evt_1"}, now.Add(-ago))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	settle := func(id string, sent bool) {
		t.Helper()
		if _, err := box.Claim(ctx, "w", now, time.Minute); err != nil {
			t.Fatal(err)
		}
		var err error
		if sent {
			err = box.MarkSent(ctx, id, "w", "p-1", now)
		} else {
			err = box.MarkFailed(ctx, id, "w", "events endpoint: Gone", now)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	changed := event.Kind(event.PasswordChanged)
	settle(add(changed, time.Hour), false)     // a dead letter
	settle(add("reset_link", time.Hour), true) // sent
	for _, ago := range []time.Duration{40 * time.Minute, 30 * time.Minute, 20 * time.Minute} {
		add(changed, ago) // the receiver is down
	}
	add("reset_link", 3*time.Second)
	if _, err := box.Claim(ctx, "w", now, time.Minute); err != nil { // the oldest event, being sent
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := app.NewOutboxTool(box, nil, nil, clock).PrintStats(ctx, &out); err != nil {
		t.Fatal(err)
	}
	want := `pending    3      (e-mails 1, events 2)
sending    1      (e-mails 0, events 1)
sent       1
failed     1      (e-mails 0, events 1)
suppressed 0
oldest unsent: 40m0s old (e-mails 3s old, events 40m0s old)
`
	if got, _, _ := bytes.Cut(out.Bytes(), []byte("failed messages")); string(got) != want {
		t.Errorf("pwreset outbox printed\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	if err := app.NewOutboxTool(memory.NewOutbox(), nil, nil, clock).PrintStats(ctx, &out); err != nil {
		t.Fatal(err)
	}
	want = `pending    0      (e-mails 0, events 0)
sending    0      (e-mails 0, events 0)
sent       0
failed     0      (e-mails 0, events 0)
suppressed 0
oldest unsent: none
`
	if out.String() != want {
		t.Errorf("pwreset outbox printed, the outbox empty,\n%s\nwant\n%s", out.String(), want)
	}
}
