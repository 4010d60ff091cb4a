package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// MailSettings say how e-mails leave: through SendGrid, an SMTP relay, or printed
// (demo mode only), from which address, and where replies go.
type MailSettings struct {
	SendGridAPIKey  string        `env:"SENDGRID_API_KEY"`
	SendGridAPIURL  string        `env:"SENDGRID_API_URL" envDefault:"https://api.sendgrid.com"`
	SendGridTimeout time.Duration `env:"SENDGRID_TIMEOUT" envDefault:"10s"`
	From            string        `env:"VERIFICATION_FROM_EMAIL"`
	ReplyTo         string        `env:"VERIFICATION_REPLY_TO_EMAIL"`
	SMTP            SMTPSettings
}

// SMTPSettings say how pwreset reaches an SMTP relay. SMTP_URL selects it as the
// mail provider, instead of SendGrid.
type SMTPSettings struct {
	URL string `env:"SMTP_URL"`
	// TLS "on": STARTTLS is required on smtp:// (smtps:// is TLS throughout);
	// "off": smtp:// in the clear, for a relay on the same host or network only.
	TLS     string        `env:"SMTP_TLS" envDefault:"on"`
	Timeout time.Duration `env:"SMTP_TIMEOUT" envDefault:"10s"`
	// PoolSize is the most connections kept open to the relay, each reused for
	// many messages.
	PoolSize int `env:"SMTP_POOL_SIZE" envDefault:"16"`
}

func (m MailSettings) problems() []error {
	var p []error
	for _, a := range []struct{ name, addr string }{{"VERIFICATION_FROM_EMAIL", m.From}, {"VERIFICATION_REPLY_TO_EMAIL", m.ReplyTo}} {
		if _, err := mail.ParseAddress(a.addr); a.addr != "" && err != nil {
			p = append(p, fmt.Errorf("%s %q is not an e-mail address: %v", a.name, a.addr, err))
		}
	}
	if m.SMTP.URL != "" && m.SendGridAPIKey != "" {
		p = append(p, errors.New("SENDGRID_API_KEY and SMTP_URL are both set: pwreset sends through one provider; unset one of them"))
	}
	return slices.Concat(p, m.sendGridProblems(), m.SMTP.problems())
}

// sendGridProblems checks SendGrid's settings, which have defaults: they are
// checked whether SendGrid is chosen or not, as they always were.
func (m MailSettings) sendGridProblems() []error {
	var p []error
	if m.SendGridTimeout <= 0 {
		p = append(p, errors.New("SENDGRID_TIMEOUT must be a positive duration, such as 5s"))
	}
	if u, err := url.Parse(m.SendGridAPIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p = append(p, fmt.Errorf("SENDGRID_API_URL %q must be an absolute URL such as https://api.sendgrid.com", m.SendGridAPIURL))
	}
	return p
}

// problems checks the SMTP settings, when SMTP_URL chooses the relay.
func (s SMTPSettings) problems() []error {
	if s.URL == "" {
		return nil
	}
	var p []error
	e, err := smtp.ParseURL(s.URL)
	if err != nil {
		p = append(p, fmt.Errorf("SMTP_URL: %v", err))
	}
	switch strings.ToLower(s.TLS) {
	case "on":
	case "off":
		if e.Implicit {
			p = append(p, errors.New("SMTP_TLS=off needs an smtp:// URL: smtps:// is TLS from the first byte"))
		}
	default:
		p = append(p, fmt.Errorf("SMTP_TLS %q is not supported: use on (the default) or off (a local relay only)", s.TLS))
	}
	if s.PoolSize < 1 {
		p = append(p, fmt.Errorf("SMTP_POOL_SIZE (%d) must be at least 1: the connections kept open to the relay", s.PoolSize))
	}
	if s.Timeout <= 0 {
		p = append(p, errors.New("SMTP_TIMEOUT must be a positive duration, such as 10s"))
	}
	return p
}

// ProvideMailProvider chooses the mail provider: an SMTP relay when SMTP_URL is set,
// SendGrid when SENDGRID_API_KEY is, printing to standard output otherwise (which
// configuration allows in demo mode only); with VERIFICATION_REPLY_TO_EMAIL, every
// e-mail carries that Reply-To. Events go to EVENTS_URL. With tracing on, every
// delivery attempt is a span.
func ProvideMailProvider(cfg Config, out Output, t Tracing) (outbox.Provider, error) {
	mail, err := cfg.Mail.provider(out)
	if err != nil {
		return nil, err
	}
	events, err := cfg.Events.provider()
	if err != nil {
		return nil, err
	}
	return outbox.Router{Mail: withReplyTo(cfg.Mail.ReplyTo, t.mail(mail)), Events: t.events(events)}, nil
}

// provider chooses the provider of e-mail.
func (m MailSettings) provider(out Output) (outbox.Provider, error) {
	if m.SMTP.URL != "" {
		return m.SMTP.mailer()
	}
	if m.SendGridAPIKey != "" {
		return sendgrid.NewMailer(sendgrid.Config{APIKey: m.SendGridAPIKey, BaseURL: m.SendGridAPIURL, Timeout: m.SendGridTimeout}), nil
	}
	return console.NewMailer(out), nil
}

// mailer returns the SMTP provider of SMTP_URL.
func (s SMTPSettings) mailer() (outbox.Provider, error) {
	m, err := smtp.NewMailer(smtp.Config{URL: s.URL, NoTLS: strings.EqualFold(s.TLS, "off"), Timeout: s.Timeout, PoolSize: s.PoolSize})
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	return m, nil
}

// replyTo is a mail provider that gives every message the Reply-To address of
// VERIFICATION_REPLY_TO_EMAIL, as django-rest-registration does.
type replyTo struct {
	outbox.Provider
	addr string
}

// Send implements ports.Mailer.
func (r replyTo) Send(ctx context.Context, msg ports.Message) (string, error) {
	msg.ReplyTo = r.addr
	return r.Provider.Send(ctx, msg)
}

// withReplyTo wraps p so that its messages carry addr (VERIFICATION_REPLY_TO_EMAIL), if set.
func withReplyTo(addr string, p outbox.Provider) outbox.Provider {
	if addr == "" || p == nil {
		return p
	}
	return replyTo{Provider: p, addr: addr}
}
