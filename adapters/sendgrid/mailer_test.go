package sendgrid_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/ports"
)

// link is the secret part of the test message: no error may repeat it.
const link = "https://reset.example.com/r?t=s3cr3t-t0ken"

var message = ports.Message{
	Kind:    "reset_link",
	From:    "Password reset <noreply@example.com>",
	To:      "ann@example.com",
	Subject: "Reset your password",
	Text:    "Open " + link + " to choose a new password.",
	HTML:    `<p><a href="` + link + `">Choose a new password</a></p>`,
}

func newMailer(s *sendgridtest.Server, key string) *sendgrid.Mailer {
	return sendgrid.NewMailer(sendgrid.Config{APIKey: key, BaseURL: s.URL(), Timeout: 2 * time.Second})
}

func TestSendDelivers(t *testing.T) {
	textOnly := message
	textOnly.HTML = ""
	replyTo := message
	replyTo.ReplyTo = "Support <support@example.com>"
	for _, msg := range []ports.Message{message, textOnly, replyTo} {
		t.Run("html="+strconv.FormatBool(msg.HTML != "")+",reply-to="+msg.ReplyTo, func(t *testing.T) {
			s := sendgridtest.New(t)
			id, err := newMailer(s, sendgridtest.APIKey).Send(t.Context(), msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := s.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages, want 1", len(got))
			}
			if id == "" || id != got[0].ID {
				t.Errorf("provider id = %q, server assigned %q", id, got[0].ID)
			}
			if got[0].Message != msg {
				t.Errorf("server got\n%+v\nwant\n%+v", got[0].Message, msg)
			}
		})
	}
}

func TestSendTrimsBaseURL(t *testing.T) {
	s := sendgridtest.New(t)
	m := sendgrid.NewMailer(sendgrid.Config{APIKey: sendgridtest.APIKey, BaseURL: s.URL() + "/"})
	if _, err := m.Send(t.Context(), message); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

func TestSendRefused(t *testing.T) {
	retryDate := time.Now().Add(9 * time.Second).UTC().Format(http.TimeFormat)
	reset := strconv.FormatInt(time.Now().Add(8*time.Second).Unix(), 10)
	tests := []struct {
		name       string
		key        string
		status     int
		header     http.Header
		errs       []sendgridtest.APIError
		permanent  bool
		reason     []string
		retryAfter [2]time.Duration // inclusive range
	}{
		{name: "bad request", status: 400, permanent: true,
			errs: []sendgridtest.APIError{
				{Message: "The from address does not match a verified Sender Identity.", Field: "from"},
				{Message: "Invalid link " + link},
				{Message: "Bad key " + sendgridtest.APIKey}, // SendGrid does not do this; be safe anyway
			},
			reason: []string{"Bad Request", "verified Sender Identity. (field from)", "; Invalid link [url]; ",
				"Bad key [api key]"}},
		{name: "wrong key", key: "SG.wrong.key", permanent: true,
			reason: []string{"Unauthorized", "authorization grant is invalid"}},
		{name: "forbidden", status: 403, permanent: true, reason: []string{"Forbidden"}},
		{name: "too large", status: 413, permanent: true, reason: []string{"Request Entity Too Large"}},
		{name: "rate limited, seconds", status: 429, header: http.Header{"Retry-After": {"7"}},
			reason: []string{"Too Many Requests"}, retryAfter: [2]time.Duration{7 * time.Second, 7 * time.Second}},
		{name: "rate limited, date", status: 429, header: http.Header{"Retry-After": {retryDate}},
			retryAfter: [2]time.Duration{6 * time.Second, 9 * time.Second}},
		{name: "rate limited, reset", status: 429, header: http.Header{"X-RateLimit-Reset": {reset}},
			retryAfter: [2]time.Duration{6 * time.Second, 8 * time.Second}},
		{name: "rate limited, no header", status: 429},
		{name: "server error", status: 500, reason: []string{"Internal Server Error"}},
		{name: "unavailable", status: 503, header: http.Header{"Retry-After": {"2"}},
			retryAfter: [2]time.Duration{2 * time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sendgridtest.New(t)
			key := sendgridtest.APIKey
			if tt.key != "" {
				key = tt.key
			} else {
				s.FailNext(1, tt.status, tt.header, tt.errs...)
			}
			_, err := newMailer(s, key).Send(t.Context(), message)
			se := sendError(t, err, key)
			want := tt.status
			if want == 0 {
				want = http.StatusUnauthorized
			}
			if se.Status != want || se.Permanent != tt.permanent {
				t.Errorf("got status %d permanent %v, want %d %v", se.Status, se.Permanent, want, tt.permanent)
			}
			for _, r := range tt.reason {
				if !strings.Contains(se.Reason, r) {
					t.Errorf("reason %q lacks %q", se.Reason, r)
				}
			}
			if se.RetryAfter < tt.retryAfter[0] || se.RetryAfter > tt.retryAfter[1] {
				t.Errorf("RetryAfter = %v, want within %v", se.RetryAfter, tt.retryAfter)
			}
		})
	}
}

func TestSendReasonIsShort(t *testing.T) {
	s := sendgridtest.New(t)
	s.FailNext(1, 400, nil, sendgridtest.APIError{Message: strings.Repeat("é", 2000)})
	_, err := newMailer(s, sendgridtest.APIKey).Send(t.Context(), message)
	se := sendError(t, err, sendgridtest.APIKey)
	if len(se.Reason) > 320 {
		t.Errorf("reason is %d bytes long", len(se.Reason))
	}
	if !strings.HasSuffix(se.Reason, "é…") {
		t.Errorf("reason not cut on a character boundary: ...%q", se.Reason[len(se.Reason)-8:])
	}
}

func TestSendUnreachable(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetDown(true)
	_, err := newMailer(s, sendgridtest.APIKey).Send(t.Context(), message)
	se := sendError(t, err, sendgridtest.APIKey)
	if se.Status != 0 || se.Permanent {
		t.Errorf("got status %d permanent %v, want 0 and temporary", se.Status, se.Permanent)
	}
}

func TestSendTimesOut(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetDelay(time.Minute)
	m := sendgrid.NewMailer(sendgrid.Config{APIKey: sendgridtest.APIKey, BaseURL: s.URL(),
		Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := m.Send(t.Context(), message)
	// The server hangs a minute: returning well before that is the timeout's doing.
	// (The bound is generous, so that a busy machine cannot break it.)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Send took %v with a 200ms timeout against a server that hangs a minute", took)
	}
	se := sendError(t, err, sendgridtest.APIKey)
	if se.Status != 0 || se.Permanent {
		t.Errorf("got status %d permanent %v, want 0 and temporary", se.Status, se.Permanent)
	}
}

func TestSendHonoursCallerDeadline(t *testing.T) {
	s := sendgridtest.New(t)
	s.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	// The server and the mailer's own timeout wait a minute: returning well before
	// that is the caller's deadline's doing.
	m := sendgrid.NewMailer(sendgrid.Config{APIKey: sendgridtest.APIKey, BaseURL: s.URL(), Timeout: time.Minute})
	_, err := m.Send(ctx, message)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Send took %v with the caller's 100ms deadline against a server that hangs a minute", took)
	}
	sendError(t, err, sendgridtest.APIKey)
}

// sendError asserts that err is a *ports.SendError that gives away neither the
// message nor the key, and returns it.
func sendError(t *testing.T, err error, key string) *ports.SendError {
	t.Helper()
	var se *ports.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *ports.SendError", err, err)
	}
	text := err.Error()
	for _, secret := range []string{link, "s3cr3t", message.Text, message.HTML, key} {
		if strings.Contains(text, secret) {
			t.Errorf("error %q gives away %q", text, secret)
		}
	}
	return se
}

// TestSendRefusalScrubbed (issue 18 item 6): an address or a link SendGrid's
// errors quote, with a scheme or without, stays out of the reason.
func TestSendRefusalScrubbed(t *testing.T) {
	s := sendgridtest.New(t)
	s.FailNext(1, 400, nil, sendgridtest.APIError{Message: "Invalid recipient ann@example.com", Field: "personalizations.0.to.0.email"},
		sendgridtest.APIError{Message: "Blocked link reset.example.com/r?user_id=42&timestamp=1700000000&signature=s1gn"})
	_, err := newMailer(s, sendgridtest.APIKey).Send(t.Context(), message)
	se := sendError(t, err, sendgridtest.APIKey)
	if !strings.Contains(se.Reason, "Invalid recipient") || !strings.Contains(se.Reason, "Blocked link") {
		t.Errorf("reason %q lost SendGrid's words", se.Reason)
	}
	for _, secret := range []string{"ann@example.com", "user_id=42", "1700000000", "s1gn", "reset.example.com"} {
		if strings.Contains(se.Error(), secret) {
			t.Errorf("error %q gives away %q", se.Error(), secret)
		}
	}
}
