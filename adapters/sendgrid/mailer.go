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

// DefaultIdleConns is how many connections to SendGrid a Mailer keeps open
// between messages when Config.IdleConns is zero: more than the dispatcher's
// default of 4 workers, so that none of them dials again while the others are
// busy.
const DefaultIdleConns = 16

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
	// IdleConns is how many connections to SendGrid are kept open between
	// messages; DefaultIdleConns when zero.
	IdleConns int
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
	if cfg.IdleConns <= 0 {
		cfg.IdleConns = DefaultIdleConns
	}
	// A client of our own rather than sendgrid.MakeRequestWithContext, which goes
	// through the package-level rest.DefaultClient that any other code may replace,
	// and a transport of our own: net/http's default keeps only 2 idle connections
	// per host, so concurrent senders would dial and shake hands over TLS anew for
	// most messages. The deadline comes from the context Send builds, so the client
	// needs no Timeout.
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok { // unless a program replaced it
		tr = dt.Clone()
	}
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = cfg.IdleConns, cfg.IdleConns
	return &Mailer{cfg: cfg, client: &rest.Client{HTTPClient: &http.Client{Transport: tr}}}
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
