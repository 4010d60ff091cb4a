package prometheus_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/portstest"
)

// scripted answers each send with the next answer scripted for the message's
// kind; once they are used up, it accepts.
type scripted struct {
	mu      sync.Mutex
	answers map[string][]error
}

func (s *scripted) Send(_ context.Context, msg ports.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.answers[msg.Kind]
	if len(queue) == 0 {
		return "accepted-" + msg.To, nil
	}
	s.answers[msg.Kind] = queue[1:]
	return "", queue[0]
}

// TestEventDeliveriesCountedByTypeAndResult runs the outbox's dispatcher with the
// metrics observing its audit events, as the service wires them: e-mails go to a
// mail provider, events (reset_link.sent and .failed announced, password.changed
// stored) to an events endpoint that answers 503 once, 410 for good, or 2xx. The
// events count in pwreset_event_deliveries_total by type and result, the e-mails in
// pwreset_mail_deliveries_total only, and no delivery adds a series: no event id,
// user id or URL becomes a label.
func TestEventDeliveriesCountedByTypeAndResult(t *testing.T) {
	ctx := context.Background()
	m := prometheus.New()
	box := memory.NewOutbox()
	clock := portstest.NewClock(time.Date(2026, 12, 6, 16, 0, 0, 0, time.UTC))
	cfg := outbox.DefaultConfig()
	cfg.PollInterval, cfg.RetryMin, cfg.RetryMax = time.Hour, time.Millisecond, time.Millisecond
	cfg.Events = []string{event.LinkSent, event.LinkFailed}
	cfg.KeepTrying = event.Kinds(event.Types)
	mail := &scripted{answers: map[string][]error{
		"reset_link": {nil, &ports.SendError{Status: 550, Permanent: true, Reason: "mailbox unknown"}}}}
	hooks := &scripted{answers: map[string][]error{
		event.Kind(event.PasswordChanged): {&ports.SendError{Status: 503, Reason: "receiver down"}},
		event.Kind(event.LinkSent):        {&ports.SendError{Status: 410, Permanent: true, Reason: "gone"}},
	}}
	d := outbox.NewDispatcher(cfg, box, outbox.Router{Mail: mail, Events: hooks}, clock,
		slog.New(slog.DiscardHandler), audit.New(nil).WithObserver(m))

	changed, err := event.Message(event.NewID(), event.PasswordChanged, "7", clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []ports.Message{
		{Kind: "reset_link", UserID: "7", To: "alice@example.org", Text: "https://example.com/reset/secret"},
		{Kind: "reset_link", UserID: "8", To: "bob@example.org", Text: "https://example.com/reset/secret"},
		changed,
	} {
		if _, err := box.Add(ctx, msg, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	deliverAll(t, d, clock)

	want := map[string]float64{
		"pwreset_mail_deliveries_total{kind=reset_link,result=sent}":           1,
		"pwreset_mail_deliveries_total{kind=reset_link,result=failed}":         1,
		"pwreset_event_deliveries_total{result=retry,type=password.changed}":   1,
		"pwreset_event_deliveries_total{result=sent,type=password.changed}":    1,
		"pwreset_event_deliveries_total{result=failed,type=reset_link.sent}":   1,
		"pwreset_event_deliveries_total{result=sent,type=reset_link.failed}":   1,
		"pwreset_event_deliveries_total{result=failed,type=password.changed}":  0,
		"pwreset_mail_deliveries_total{kind=password_changed,result=sent}":     0,
		"pwreset_event_deliveries_total{result=retry,type=reset_link.sent}":    0,
		"pwreset_event_deliveries_total{result=retry,type=reset_link.failed}":  0,
		"pwreset_event_deliveries_total{result=failed,type=reset_link.failed}": 0,
		"pwreset_event_deliveries_total{result=sent,type=reset_link.sent}":     0,
		"pwreset_mail_deliveries_total{kind=password_changed,result=retry}":    0,
		"pwreset_mail_deliveries_total{kind=password_changed,result=failed}":   0,
		"pwreset_mail_deliveries_total{kind=reset_link,result=retry}":          0,
		"pwreset_link_requests_total{outcome=queued}":                          0,
		"pwreset_password_resets_total{outcome=succeeded}":                     0,
	}
	got := values(t, m.Registry())
	for s, v := range got {
		if v != want[s] {
			t.Errorf("%s = %v, want %v", s, v, want[s])
		}
	}
	for s, v := range want {
		if _, ok := got[s]; !ok && v != 0 {
			t.Errorf("%s missing, want %v", s, v)
		}
	}
	all := series(t, m.Registry(), "pwreset_")
	if len(all) != 31 {
		t.Errorf("%d series after the deliveries, want the 31 of start-up", len(all))
	}
	for _, s := range all {
		if strings.Contains(s, "evt_") || strings.Contains(s, "http") || strings.Contains(s, "@") {
			t.Errorf("series %s has an id, a URL or an address in a label", s)
		}
	}
}

// deliverAll delivers every message due, moving the clock past each backoff,
// until none is left to deliver.
func deliverAll(t *testing.T, d *outbox.Dispatcher, clock *portstest.Clock) {
	t.Helper()
	for range 20 {
		ok, err := d.DeliverDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			clock.Add(time.Second) // past any backoff
			if ok, err = d.DeliverDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
		}
	}
	t.Fatal("messages still due after 20 deliveries")
}

// TestEventDeliveryNamesOutsideTheTypesAreNotCounted: an audit event of a type
// pwreset does not send, or with no result, adds no series and counts nowhere.
func TestEventDeliveryNamesOutsideTheTypesAreNotCounted(t *testing.T) {
	m := prometheus.New()
	for _, name := range []string{"event.user.deleted.sent", "event.password.changed", "event.reset_link.failed",
		"event..sent", "event.password.changed.bounced", "password.changed.sent", "event.https://hooks.example/x.sent"} {
		m.Observe(ports.Event{Name: name})
	}
	for s, v := range values(t, m.Registry()) {
		if v != 0 {
			t.Errorf("%s = %v, want 0", s, v)
		}
	}
	if n := len(series(t, m.Registry(), "pwreset_")); n != 31 {
		t.Errorf("%d series, want the 31 of start-up", n)
	}
}
