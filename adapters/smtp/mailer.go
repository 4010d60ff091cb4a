package smtp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/pwreset/pwreset/ports"
)

// Mailer is a ports.Mailer that hands each message to an SMTP relay, on a
// connection of its own: a relay that dropped an idle connection costs nothing,
// and Send is safe for concurrent use.
type Mailer struct {
	client  *gomail.Client
	timeout time.Duration
}

var _ ports.Mailer = (*Mailer)(nil)

// NewMailer returns a mailer for cfg, or an error when the URL is not an SMTP URL
// or NoTLS is asked of smtps://. It does not connect.
func NewMailer(cfg Config) (*Mailer, error) {
	e, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	opts := []gomail.Option{gomail.WithPort(e.Port), gomail.WithTimeout(cfg.Timeout)}
	switch {
	case e.Implicit && cfg.NoTLS:
		return nil, errors.New("smtp: smtps:// is TLS from the first byte; NoTLS needs smtp://")
	case e.Implicit:
		opts = append(opts, gomail.WithSSL())
	case cfg.NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.TLSConfig != nil {
		tc := cfg.TLSConfig.Clone()
		tc.ServerName = e.Host
		opts = append(opts, gomail.WithTLSConfig(tc))
	}
	if e.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(e.User), gomail.WithPassword(e.Password))
	}
	c, err := gomail.NewClient(e.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &Mailer{client: c, timeout: cfg.Timeout}, nil
}

// Send implements ports.Mailer: a multipart/alternative message of the text and,
// if there is one, the HTML, with a Message-ID of its own, which it returns as the
// provider's id. Failures are *ports.SendError: Status is the SMTP reply code (0
// when the relay was not reached or said nothing), 5xx replies are permanent, 4xx
// replies and network failures temporary.
func (m *Mailer) Send(ctx context.Context, msg ports.Message) (string, error) {
	out, id, err := compose(msg)
	if err != nil {
		return "", &ports.SendError{Reason: err.Error(), Permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	// A message the relay accepted (250 after DATA) is the relay's: an RSET or QUIT
	// that fails afterwards must not make the outbox send it again.
	if err := m.client.DialAndSendWithContext(ctx, out); err != nil && !out.IsDelivered() {
		return "", classify(err)
	}
	return id, nil
}

// compose writes msg as a go-mail message, and returns it with its Message-ID.
func compose(msg ports.Message) (*gomail.Msg, string, error) {
	from, err := mail.ParseAddress(msg.From)
	if err != nil {
		return nil, "", fmt.Errorf("the sender %q is not an e-mail address", msg.From)
	}
	out := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := out.From(msg.From); err != nil {
		return nil, "", fmt.Errorf("the sender %q is not an e-mail address", msg.From)
	}
	if err := out.To(msg.To); err != nil {
		// The address stays out: the reason is logged.
		return nil, "", errors.New("the recipient is not an e-mail address")
	}
	if msg.ReplyTo != "" {
		if err := out.ReplyTo(msg.ReplyTo); err != nil {
			return nil, "", fmt.Errorf("the reply-to address %q is not an e-mail address", msg.ReplyTo)
		}
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	id := rand.Text() + "@" + domain
	out.SetMessageIDWithValue(id)
	out.SetDate()
	out.Subject(msg.Subject)
	out.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		out.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return out, "<" + id + ">", nil
}
