package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/ports"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var sample = ports.Message{Kind: "reset_link", UserID: "42", From: "Service <noreply@example.com>", To: "ann@example.org",
	Subject: "Réinitialiser — reset your password", Text: "Open https://example.com/reset/?t=abc\n",
	HTML: `<p><a href="https://example.com/reset/?t=abc">Reset</a></p>`}

func newMailer(t *testing.T, s *smtptest.Server, noTLS bool) *smtp.Mailer {
	t.Helper()
	m, err := smtp.NewMailer(smtp.Config{URL: s.URL(), NoTLS: noTLS, Timeout: 5 * time.Second,
		TLSConfig: &tls.Config{RootCAs: s.RootCAs(), MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDelivery: over STARTTLS (the default), implicit TLS and, when asked, a plain
// local relay, a message arrives as multipart text and HTML with the configured
// From, the recipient, the subject and the Message-ID that Send returns.
func TestDelivery(t *testing.T) {
	cases := []struct {
		name  string
		opts  smtptest.Options
		noTLS bool
	}{
		{"starttls with auth", smtptest.Options{User: "relay-user", Password: "p@ss:word"}, false},
		{"implicit tls", smtptest.Options{ImplicitTLS: true}, false},
		{"implicit tls with auth", smtptest.Options{ImplicitTLS: true, User: "relay-user", Password: "p@ss:word"}, false},
		{"local relay without tls", smtptest.Options{NoTLS: true}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := smtptest.Start(t, c.opts)
			id, err := newMailer(t, s, c.noTLS).Send(testCtx(t), sample)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := s.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages arrived, want 1", len(got))
			}
			m := got[0]
			if m.From != "noreply@example.com" || len(m.To) != 1 || m.To[0] != sample.To || m.TLS == c.noTLS || m.User != c.opts.User {
				t.Errorf("envelope from %q to %v, TLS %v, user %q", m.From, m.To, m.TLS, m.User)
			}
			checkContent(t, m.Data, id)
		})
	}
}

// checkContent parses a received message: headers, and a multipart/alternative
// body whose parts are the text and the HTML.
func checkContent(t *testing.T, data []byte, id string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if from, _ := mail.ParseAddress(h.Get("From")); from == nil || from.Address != "noreply@example.com" || from.Name != "Service" {
		t.Errorf("From: %q", h.Get("From"))
	}
	if h.Get("To") != "<ann@example.org>" && h.Get("To") != "ann@example.org" {
		t.Errorf("To: %q", h.Get("To"))
	}
	if subject != sample.Subject {
		t.Errorf("Subject: %q, want %q", subject, sample.Subject)
	}
	if h.Get("Message-Id") != id || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID %q; Send returned %q; want one id in the sender's domain", h.Get("Message-Id"), id)
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	want := map[string]string{"text/plain": sample.Text, "text/html": sample.HTML}
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if strings.ReplaceAll(string(body), "\r\n", "\n") != want[ct] {
			t.Errorf("%s part: %q, want %q", ct, body, want[ct])
		}
		delete(want, ct)
	}
	if len(want) != 0 {
		t.Errorf("parts missing: %v", want)
	}
}

// TestReplyTo: a message with ReplyTo carries it as its Reply-To header; one
// without has none, so that replies go to From; a bad one never reaches the relay.
func TestReplyTo(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	with := sample
	with.ReplyTo = "Support <support@example.com>"
	for _, msg := range []ports.Message{with, sample} {
		if _, err := newMailer(t, s, false).Send(testCtx(t), msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	got := s.Messages()
	if len(got) != 2 {
		t.Fatalf("%d messages arrived, want 2", len(got))
	}
	for i, want := range []string{"support@example.com", ""} {
		m, err := mail.ReadMessage(bytes.NewReader(got[i].Data))
		if err != nil {
			t.Fatal(err)
		}
		var addr string
		if h := m.Header.Get("Reply-To"); h != "" {
			a, err := mail.ParseAddress(h)
			if err != nil || a.Name != "Support" {
				t.Fatalf("Reply-To %q: %v", h, err)
			}
			addr = a.Address
		}
		if addr != want {
			t.Errorf("message %d: Reply-To %q, want %q", i, addr, want)
		}
	}
	bad := sample
	bad.ReplyTo = "not an address"
	var se *ports.SendError
	if _, err := newMailer(t, s, false).Send(testCtx(t), bad); !errors.As(err, &se) || !se.Permanent {
		t.Errorf("Send with a bad Reply-To: %#v; want a permanent failure", err)
	}
}

// TestHangUpAfterAccept: a relay that accepts the message and then drops the
// connection before QUIT has the message: Send reports it sent, so that the
// outbox does not send it twice.
func TestHangUpAfterAccept(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.SetHangUp(true)
	id, err := newMailer(t, s, false).Send(testCtx(t), sample)
	if err != nil {
		t.Fatalf("Send: %v; want the accepted message reported sent", err)
	}
	if got := s.Messages(); len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	} else {
		checkContent(t, got[0].Data, id)
	}
}

// TestRefusals: the relay's 4xx is a temporary failure and its 5xx a permanent
// one, each with its code and the relay's own words, never the recipient; a
// wrong password is permanent; nothing arrives.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name      string
		code      int
		text      string
		permanent bool
	}{
		{"deferred", 451, "greylisted, try again later", false},
		{"mailbox full", 452, "insufficient storage", false},
		{"rejected", 550, "no such user here", true},
		{"policy", 554, "message refused by policy", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := smtptest.Start(t, smtptest.Options{})
			s.Reply(c.code, c.text)
			_, err := newMailer(t, s, false).Send(testCtx(t), sample)
			var se *ports.SendError
			if !errors.As(err, &se) || se.Status != c.code || se.Permanent != c.permanent || !strings.Contains(se.Reason, c.text) {
				t.Fatalf("Send: %#v; want status %d, permanent %v, reason with %q", err, c.code, c.permanent, c.text)
			}
			if strings.Contains(se.Reason, sample.To) {
				t.Errorf("the reason names the recipient: %q", se.Reason)
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("%d messages arrived", n)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		s := smtptest.Start(t, smtptest.Options{User: "u", Password: "right"})
		m, err := smtp.NewMailer(smtp.Config{URL: strings.Replace(s.URL(), ":right@", ":wrong@", 1),
			TLSConfig: &tls.Config{RootCAs: s.RootCAs(), MinVersion: tls.VersionTLS12}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.Send(testCtx(t), sample)
		var se *ports.SendError
		if !errors.As(err, &se) || !se.Permanent || se.Status != 535 || strings.Contains(se.Reason, "wrong") {
			t.Fatalf("Send: %#v; want permanent 535 without the password", err)
		}
	})
}

// TestUnreached: a relay that is not there, one that offers no STARTTLS while TLS
// is required, and one that never answers are temporary failures without a code,
// and nothing is sent in the clear.
func TestUnreached(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "smtp://" + closed.Addr().String()
	closed.Close()

	silent, _ := net.Listen("tcp", "127.0.0.1:0") // accepts, and never says a word
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	plain := smtptest.Start(t, smtptest.Options{NoTLS: true})

	for name, url := range map[string]string{"closed port": closedURL, "silent": "smtp://" + silent.Addr().String(), "no starttls": plain.URL()} {
		t.Run(name, func(t *testing.T) {
			m, err := smtp.NewMailer(smtp.Config{URL: url, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Send(testCtx(t), sample)
			var se *ports.SendError
			if !errors.As(err, &se) || se.Permanent || se.Status != 0 {
				t.Fatalf("Send: %#v; want a temporary failure without a status", err)
			}
		})
	}
	if n := len(plain.Messages()); n != 0 {
		t.Errorf("%d messages went to a relay without TLS", n)
	}
}

// TestBadMessages: an address that is none fails the message for good, before
// any connection.
func TestBadMessages(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	for name, msg := range map[string]ports.Message{
		"bad from": {From: "not an address", To: sample.To, Text: "x"},
		"bad to":   {From: sample.From, To: "nobody", Text: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newMailer(t, s, false).Send(testCtx(t), msg)
			var se *ports.SendError
			if !errors.As(err, &se) || !se.Permanent {
				t.Fatalf("Send: %#v; want a permanent failure", err)
			}
		})
	}
	if s.Attempts() != 0 {
		t.Errorf("%d messages reached the relay", s.Attempts())
	}
}

// TestRefusalsScrubbed (issue 18 item 6): what relays were seen to quote in a
// refusal, the recipient (Postfix) and the link with its parameters (a URL
// filter), stays out of the reason; the relay's own words stay in.
func TestRefusalsScrubbed(t *testing.T) {
	for _, text := range []string{
		"5.1.1 <ann@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
		"5.7.1 Recipient address rejected: URL https://reset.example.com/reset/?user_id=42&timestamp=1700000000&signature=s3cr3t blocked",
		"5.7.1 Recipient address rejected: link reset.example.com/reset/?user_id=42&timestamp=1700000000&signature=s3cr3t blocked",
	} {
		s := smtptest.Start(t, smtptest.Options{})
		s.Reply(550, text)
		_, err := newMailer(t, s, false).Send(testCtx(t), sample)
		var se *ports.SendError
		if !errors.As(err, &se) || se.Status != 550 || !strings.Contains(se.Reason, "Recipient address rejected") {
			t.Fatalf("Send: %#v; want 550 with the relay's words", err)
		}
		for _, secret := range []string{"ann@example.org", "user_id=42", "1700000000", "s3cr3t", "reset.example.com"} {
			if strings.Contains(se.Reason, secret) || strings.Contains(se.Error(), secret) {
				t.Errorf("the reason %q gives away %q", se.Reason, secret)
			}
		}
	}
}

// TestStatedWait: a 4xx that names its wait reports it as RetryAfter, in the
// units relays use; one that names none, and any 5xx, report none.
func TestStatedWait(t *testing.T) {
	cases := []struct {
		code int
		text string
		want time.Duration
	}{
		{421, "4.7.0 Too many connections, try again in 30 seconds", 30 * time.Second},
		{451, "4.7.1 Rate limited; retry after 5 minutes", 5 * time.Minute},
		{450, "4.2.0 Deferred, try again in 2h", 2 * time.Hour},
		{421, "4.7.0 Try again later, closing connection", 0},
		{550, "5.7.1 Blocked, do not try again in 10 seconds", 0},
	}
	for _, c := range cases {
		s := smtptest.Start(t, smtptest.Options{})
		s.Reply(c.code, c.text)
		_, err := newMailer(t, s, false).Send(testCtx(t), sample)
		var se *ports.SendError
		if !errors.As(err, &se) || se.Status != c.code || se.RetryAfter != c.want {
			t.Errorf("%d %q: %#v; want RetryAfter %v", c.code, c.text, err, c.want)
		}
	}
}
