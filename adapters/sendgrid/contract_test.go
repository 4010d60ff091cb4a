package sendgrid_test

import (
	"net/http"
	"net/mail"
	"strconv"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestMailProviderContract runs the mail provider contract against the SendGrid
// mailer and sendgridtest. What it guarantees against duplicates: one request per
// Send, never retried inside the adapter, and a 202 is a sent message even when
// the rest of the answer is lost.
func TestMailProviderContract(t *testing.T) {
	contract.TestMailProvider(t, func(t *testing.T) contract.MailStandIn {
		s := sendgridtest.New(t)
		// A timeout far beyond the suite's patience: only the caller's deadline
		// can end a send SendGrid never answers.
		m := sendgrid.NewMailer(sendgrid.Config{APIKey: sendgridtest.APIKey, BaseURL: s.URL(), Timeout: time.Hour})
		return &standIn{s: s, m: m}
	})
}

// standIn drives sendgridtest for the contract.
type standIn struct {
	s *sendgridtest.Server
	m *sendgrid.Mailer
}

func (s *standIn) Mailer() ports.Mailer { return s.m }
func (s *standIn) Attempts() int        { return s.s.Attempts() }

// Delivered gives each accepted message with its bare recipient address.
func (s *standIn) Delivered() []ports.Message {
	var msgs []ports.Message
	for _, m := range s.s.Messages() {
		if a, err := mail.ParseAddress(m.To); err == nil {
			m.To = a.Address
		}
		msgs = append(msgs, m.Message)
	}
	return msgs
}

// Refuse answers 400 (permanent) or 503 (temporary) with reason as SendGrid's error.
func (s *standIn) Refuse(permanent bool, reason string) error {
	status := http.StatusServiceUnavailable
	if permanent {
		status = http.StatusBadRequest
	}
	s.s.FailNext(1, status, nil, sendgridtest.APIError{Message: reason})
	return nil
}

// Throttle answers 429 with Retry-After in seconds.
func (s *standIn) Throttle(wait time.Duration) error {
	s.s.FailNext(1, http.StatusTooManyRequests, http.Header{"Retry-After": {strconv.Itoa(int(wait.Seconds()))}})
	return nil
}

// Hang holds every request for an hour, longer than any test; the server drops it
// when the client gives up or the test ends.
func (s *standIn) Hang() error {
	s.s.SetDelay(time.Hour)
	return nil
}

func (s *standIn) FailAfterAccept() error {
	s.s.SetCutAfterAccept(true)
	return nil
}
