package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// TestRouterSendsByKind: e-mails go to the mail provider and events to the
// events provider; an event with no events provider fails for good, saying
// which variable is missing, and never reaches the mail provider.
func TestRouterSendsByKind(t *testing.T) {
	mail, events := &provider{}, &provider{}
	ev, err := event.Message("evt_1", event.PasswordChanged, "7", clock{}.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := outbox.Router{Mail: mail, Events: events}
	if _, err := r.Send(context.Background(), message(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if mail.total() != 1 || len(mail.callsTo(message(1).To)) != 1 || events.total() != 1 || len(events.callsTo("evt_1")) != 1 {
		t.Errorf("mail got %d, events %d; want one each, to its own", mail.total(), events.total())
	}
	_, err = outbox.Router{Mail: mail}.Send(context.Background(), ev)
	var se *ports.SendError
	if !errors.As(err, &se) || !se.Permanent || !strings.Contains(se.Reason, "EVENTS_URL") {
		t.Errorf("an event without an events provider = %v, want a permanent failure naming EVENTS_URL", err)
	}
	if mail.total() != 1 {
		t.Error("an event reached the mail provider")
	}
}

// TestOutcomesAnnounced: with reset_link.sent and reset_link.failed in
// Config.Events, a link e-mail delivered and one refused for good each leave one
// event of its outcome in the outbox, about the same user and due at once; an
// outcome not listed, and the events' own deliveries, leave none.
func TestOutcomesAnnounced(t *testing.T) {
	tests := []struct {
		name   string
		events []string
		answer error
		want   string // the event type left, "" none
	}{
		{"sent", []string{event.LinkSent, event.LinkFailed}, nil, event.LinkSent},
		{"failed", []string{event.LinkSent, event.LinkFailed}, &ports.SendError{Status: 550, Permanent: true}, event.LinkFailed},
		{"sent, not listed", []string{event.LinkFailed}, nil, ""},
		{"failed, not listed", []string{event.LinkSent}, &ports.SendError{Status: 550, Permanent: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			box := memory.NewOutbox()
			cfg := testConfig()
			cfg.Events = tt.events
			p := &provider{answer: results(tt.answer)}
			if tt.answer == nil {
				p.answer = nil
			}
			d := outbox.NewDispatcher(cfg, box, outbox.Router{Mail: p, Events: &provider{}}, clock{},
				slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
			id, err := box.Add(ctx, message(3), clock{}.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := d.DeliverDue(ctx); !ok || err != nil {
				t.Fatalf("DeliverDue = %v, %v", ok, err)
			}
			env, err := box.Claim(ctx, "test", clock{}.Now(), cfg.Lease)
			if tt.want == "" {
				if !errors.Is(err, ports.ErrNothingDue) {
					t.Fatalf("Claim = %+v, %v; want nothing left", env.Message, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("no event due: %v", err)
			}
			m := env.Message
			if m.Kind != event.Kind(tt.want) || m.UserID != "3" || event.ID(m) == "" ||
				!strings.Contains(m.Text, `"type":"`+tt.want+`"`) || strings.Contains(m.Text, "secret-token") {
				t.Errorf("event %+v, want %s of user 3 with an id, and no link", m, tt.want)
			}
			// Its ids are the message's and the outcome's: announced again, it would be
			// stored once, and be one event to the receiver.
			if want := event.IDOf(id, tt.want); event.ID(m) != want || env.ID != want {
				t.Errorf("event id %q, outbox id %q; want both %q, derived from the message and its outcome", event.ID(m), env.ID, want)
			}
			// The event's own delivery announces nothing more.
			if err := box.Reschedule(ctx, env.ID, "test", clock{}.Now(), ""); err != nil {
				t.Fatal(err)
			}
			if ok, err := d.DeliverDue(ctx); !ok || err != nil {
				t.Fatalf("DeliverDue of the event = %v, %v", ok, err)
			}
			if _, err := box.Claim(ctx, "test", clock{}.Now(), cfg.Lease); !errors.Is(err, ports.ErrNothingDue) {
				t.Errorf("the event's delivery left something due: %v", err)
			}
		})
	}
}
