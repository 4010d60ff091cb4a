package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/smtp"
)

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

// smtpProblems checks the SMTP settings and that one mail provider is chosen.
func (c Config) smtpProblems() []error {
	s := c.SMTP
	if s.URL == "" {
		return nil
	}
	var p []error
	if c.SendGridAPIKey != "" {
		p = append(p, errors.New("SENDGRID_API_KEY and SMTP_URL are both set: pwreset sends through one provider; unset one of them"))
	}
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
	} else if c.Outbox.Lease < s.Timeout*4/3 {
		// A send is cut off at three quarters of the lease, before the relay's own timeout.
		p = append(p, fmt.Errorf("MAIL_LEASE (%s) must be at least 4/3 of SMTP_TIMEOUT (%s)", c.Outbox.Lease, s.Timeout))
	}
	return p
}
