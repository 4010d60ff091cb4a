package app

import (
	"fmt"
	"strings"

	"github.com/pwreset/pwreset/adapters/smtp"
	"github.com/pwreset/pwreset/domain/outbox"
)

// smtpMailer returns the SMTP provider of SMTP_URL.
func smtpMailer(cfg Config) (outbox.Provider, error) {
	m, err := smtp.NewMailer(smtp.Config{URL: cfg.SMTP.URL, NoTLS: strings.EqualFold(cfg.SMTP.TLS, "off"),
		Timeout: cfg.SMTP.Timeout, PoolSize: cfg.SMTP.PoolSize})
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	return m, nil
}
