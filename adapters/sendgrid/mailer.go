// Package sendgrid delivers mail through SendGrid's v3 Mail Send API.
package sendgrid

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sendgrid/rest"
	sg "github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/pwreset/pwreset/ports"
)

// DefaultBaseURL is SendGrid's global API host. Accounts pinned to the EU use
// https://api.eu.sendgrid.com instead.
const DefaultBaseURL = "https://api.sendgrid.com"

// DefaultTimeout bounds one call to SendGrid when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// sendPath is the Mail Send endpoint, below the base URL.
const sendPath = "/v3/mail/send"

// Config says how to reach SendGrid.
type Config struct {
	// APIKey is a SendGrid API key with the Mail Send permission.
	APIKey string
	// BaseURL is the API host (SENDGRID_API_URL); DefaultBaseURL when empty.
	BaseURL string
	// Timeout bounds each call, on top of any deadline the caller's context has;
	// DefaultTimeout when zero.
	Timeout time.Duration
}

// Mailer is the ports.Mailer that sends through SendGrid.
type Mailer struct {
	cfg    Config
	client *rest.Client
}

// NewMailer returns a Mailer for cfg, with the defaults filled in.
func NewMailer(cfg Config) *Mailer {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	// A client of our own rather than sendgrid.MakeRequestWithContext, which goes
	// through the package-level rest.DefaultClient that any other code may replace.
	// The deadline comes from the context Send builds, so the client needs no Timeout.
	return &Mailer{cfg: cfg, client: &rest.Client{HTTPClient: &http.Client{}}}
}

// Send implements ports.Mailer. The provider id is SendGrid's X-Message-Id; every
// failure is a *ports.SendError.
func (m *Mailer) Send(ctx context.Context, msg ports.Message) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()

	// GetRequest builds a fresh header map per call, so concurrent Sends share nothing.
	req := sg.GetRequest(m.cfg.APIKey, sendPath, m.cfg.BaseURL)
	req.Method = rest.Post
	req.Body = mail.GetRequestBody(newMail(msg))

	resp, err := m.client.SendWithContext(ctx, req)
	if resp == nil {
		return "", unreachable(err)
	}
	// A non-nil resp with an error means the body could not be read in full; the
	// status line already tells whether SendGrid took the message.
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", refused(resp, m.cfg.APIKey, time.Now())
	}
	return http.Header(resp.Headers).Get("X-Message-Id"), nil
}
