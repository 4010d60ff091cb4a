package smtp_test

import (
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// TestMailProviderContract runs the mail provider contract against the SMTP
// mailer and smtptest. What it guarantees against duplicates: a message the relay
// accepted (250 after DATA) is reported sent even when RSET or QUIT fails
// afterwards, and the adapter sends a message again only on a fresh connection
// after a kept one failed its NOOP, before MAIL FROM, so before any of it left.
func TestMailProviderContract(t *testing.T) {
	contract.TestMailProvider(t, func(t *testing.T) contract.MailStandIn {
		s := smtptest.Start(t, smtptest.Options{})
		// A timeout far beyond the suite's patience: only the caller's deadline
		// can end a send the relay never answers.
		m, err := smtp.NewMailer(smtp.Config{URL: s.URL(), Timeout: time.Hour,
			TLSConfig: &tls.Config{RootCAs: s.RootCAs(), MinVersion: tls.VersionTLS12}})
		if err != nil {
			t.Fatal(err)
		}
		return &standIn{s: s, m: m}
	})
}

// standIn drives smtptest for the contract.
type standIn struct {
	s *smtptest.Server
	m *smtp.Mailer
}

func (s *standIn) Mailer() ports.Mailer { return s.m }
func (s *standIn) Attempts() int        { return s.s.Attempts() }

// Delivered gives each accepted message's envelope recipient and text part.
func (s *standIn) Delivered() []ports.Message {
	var msgs []ports.Message
	for _, m := range s.s.Messages() {
		text, err := m.Part("text/plain")
		if err != nil {
			text = err.Error()
		}
		msgs = append(msgs, ports.Message{To: m.To[0], Text: text})
	}
	return msgs
}

// Refuse answers the next DATA with 550 (permanent) or 451 (temporary).
func (s *standIn) Refuse(permanent bool, reason string) error {
	code := 451
	if permanent {
		code = 550
	}
	s.s.Reply(code, reason)
	return nil
}

// Throttle answers the next DATA with a 421 that names the wait, as relays that
// limit their senders' rate do.
func (s *standIn) Throttle(wait time.Duration) error {
	s.s.Reply(421, fmt.Sprintf("Too many messages from your address, try again in %d seconds", int(wait.Seconds())))
	return nil
}

func (s *standIn) Hang() error {
	s.s.SetDelay(time.Hour) // ended by the test's end
	return nil
}

func (s *standIn) FailAfterAccept() error {
	s.s.SetHangUp(true)
	return nil
}
