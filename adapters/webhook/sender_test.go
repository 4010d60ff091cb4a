package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/webhook"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// await bounds waits for a receiver; it only ends a test that is broken.
const await = time.Minute

func newSender(t *testing.T, r *webhooktest.Receiver, timeout time.Duration) *webhook.Sender {
	t.Helper()
	s, err := webhook.NewSender(webhook.Config{URL: r.URL, Secret: r.Secret, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func changed(t *testing.T, user string) ports.Message {
	t.Helper()
	msg, err := event.Message(event.NewID(), event.PasswordChanged, user, time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestSendDeliversSignedEvent(t *testing.T) {
	r := webhooktest.Start(t)
	msg := changed(t, "42")
	id, err := newSender(t, r, 0).Send(context.Background(), msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id != event.ID(msg) || !strings.HasPrefix(id, "evt_") {
		t.Errorf("Send returned %q, want the event id %q", id, event.ID(msg))
	}
	got := r.Events()
	if len(got) != 1 {
		t.Fatalf("receiver took %d events, want 1 (stats %+v)", len(got), r.Stats())
	}
	ev := got[0]
	if ev.ID != id || ev.Type != event.PasswordChanged || ev.Data.UserID != "42" ||
		!ev.Timestamp.Equal(time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("event = %+v", ev)
	}
	if want := `{"type":"password.changed","timestamp":"2026-12-06T15:00:00Z","data":{"user_id":"42"}}`; string(ev.Body) != want {
		t.Errorf("body = %s, want %s", ev.Body, want)
	}
}

func TestSendAnswers(t *testing.T) {
	tests := []struct {
		name       string
		answer     webhooktest.Answer
		status     int
		permanent  bool
		retryAfter time.Duration
	}{
		{"server error", webhooktest.Answer{Status: 500}, 500, false, 0},
		{"unavailable with Retry-After", webhooktest.Answer{Status: 503, RetryAfter: "7"}, 503, false, 7 * time.Second},
		{"rate limited", webhooktest.Answer{Status: 429, RetryAfter: "30"}, 429, false, 30 * time.Second},
		{"rate limited, absurd wait", webhooktest.Answer{Status: 429, RetryAfter: "99999999999"}, 429, false, 24 * time.Hour},
		{"request timeout", webhooktest.Answer{Status: 408}, 408, false, 0},
		{"bad request", webhooktest.Answer{Status: 400}, 400, true, 0},
		{"unauthorized", webhooktest.Answer{Status: 401}, 401, true, 0},
		{"gone", webhooktest.Answer{Status: 410}, 410, true, 0},
		{"redirect", webhooktest.Answer{Status: 307}, 307, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := webhooktest.Start(t)
			r.Script(tt.answer)
			_, err := newSender(t, r, 0).Send(context.Background(), changed(t, "7"))
			var se *ports.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %v, want a *ports.SendError", err)
			}
			if se.Status != tt.status || se.Permanent != tt.permanent || se.RetryAfter != tt.retryAfter {
				t.Errorf("SendError = %+v, want status %d, permanent %v, retry after %v", se, tt.status, tt.permanent, tt.retryAfter)
			}
			if n := len(r.Events()); n != 0 {
				t.Errorf("receiver took %d events from a refused delivery", n)
			}
			if st := r.Stats(); st.Requests != 1 {
				t.Errorf("receiver got %d requests, want 1: redirects and retries are not the adapter's", st.Requests)
			}
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	r := webhooktest.Start(t)
	r.Down()
	_, err := newSender(t, r, 0).Send(context.Background(), changed(t, "7"))
	var se *ports.SendError
	if !errors.As(err, &se) || se.Status != 0 || se.Permanent {
		t.Fatalf("Send to a receiver that is down = %v, want a temporary *ports.SendError with no status", err)
	}
	r.Up(t)
	if _, err := newSender(t, r, 0).Send(context.Background(), changed(t, "7")); err != nil {
		t.Fatalf("Send once the receiver is up again: %v", err)
	}
}

// TestSendSlowEndpoint: an endpoint that never answers is cut off by the
// adapter's own timeout (the receiver holds the request far longer), and the
// failure is temporary.
func TestSendSlowEndpoint(t *testing.T) {
	r := webhooktest.Start(t)
	r.Script(webhooktest.Answer{Hang: true})
	_, err := newSender(t, r, 100*time.Millisecond).Send(context.Background(), changed(t, "7"))
	var se *ports.SendError
	if !errors.As(err, &se) || se.Status != 0 || se.Permanent {
		t.Fatalf("Send to a hanging receiver = %v, want a temporary *ports.SendError with no status", err)
	}
}

// TestSendWrongSecret: the receiver checks every signature with the library; one
// made with another key is refused, for good.
func TestSendWrongSecret(t *testing.T) {
	r := webhooktest.Start(t)
	other := webhooktest.Start(t)
	s, err := webhook.NewSender(webhook.Config{URL: r.URL, Secret: other.Secret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), changed(t, "7"))
	var se *ports.SendError
	if !errors.As(err, &se) || se.Status != 401 || !se.Permanent {
		t.Fatalf("Send signed with another key = %v, want a permanent 401", err)
	}
	if st := r.Stats(); st.Invalid != 1 || len(r.Events()) != 0 {
		t.Errorf("receiver stats %+v, events %d: want the one delivery refused as invalid", st, len(r.Events()))
	}
}

func TestSendRefusesNonEvents(t *testing.T) {
	r := webhooktest.Start(t)
	mail := ports.Message{Kind: "reset_link", UserID: "7", To: "someone@example.org", Text: "https://example.com/reset?signature=x"}
	_, err := newSender(t, r, 0).Send(context.Background(), mail)
	var se *ports.SendError
	if !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("Send of an e-mail = %v, want a permanent *ports.SendError", err)
	}
	if strings.Contains(se.Reason, "example") {
		t.Errorf("reason %q quotes the message", se.Reason)
	}
	if st := r.Stats(); st.Requests != 0 {
		t.Errorf("an e-mail reached the events endpoint: %+v", st)
	}
}

func TestConfigChecks(t *testing.T) {
	good := "whsec_" + strings.Repeat("A", 32) // 24 bytes
	tests := []struct {
		name, url, secret, want string
	}{
		{"no scheme", "example.com/hooks", good, "absolute http or https URL"},
		{"ftp", "ftp://example.com/hooks", good, "absolute http or https URL"},
		{"no prefix", "https://example.com/hooks", strings.Repeat("A", 32), `does not start with "whsec_"`},
		{"not base64", "https://example.com/hooks", "whsec_***", "not standard base64"},
		{"short key", "https://example.com/hooks", "whsec_" + strings.Repeat("A", 16), "12 bytes, fewer than 24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webhook.NewSender(webhook.Config{URL: tt.url, Secret: tt.secret})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewSender = %v, want an error saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.secret) && len(tt.secret) > 8 {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
	if _, err := webhook.NewSender(webhook.Config{URL: "https://example.com/hooks", Secret: good}); err != nil {
		t.Errorf("NewSender with good settings: %v", err)
	}
}

// TestSendRetryAfterDate: a Retry-After given as an HTTP date is the wait from
// the answer until then.
func TestSendRetryAfterDate(t *testing.T) {
	r := webhooktest.Start(t)
	at := time.Now().Add(90 * time.Second).UTC().Truncate(time.Second) // what the header can say
	r.Script(webhooktest.Answer{Status: 503, RetryAfter: at.Format(http.TimeFormat)})
	start := time.Now()
	_, err := newSender(t, r, 0).Send(context.Background(), changed(t, "7"))
	end := time.Now()
	var se *ports.SendError
	if !errors.As(err, &se) || se.Permanent {
		t.Fatalf("Send = %v, want a temporary *ports.SendError", err)
	}
	// The answer came between start and end.
	if se.RetryAfter < at.Sub(end) || se.RetryAfter > at.Sub(start) {
		t.Errorf("RetryAfter = %v, want the time from the answer until %v: within [%v, %v]",
			se.RetryAfter, at, at.Sub(end), at.Sub(start))
	}
}
