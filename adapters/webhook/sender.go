// Package webhook delivers pwreset's events (domain/event) to the team's own
// endpoint as JSON signed per the Standard Webhooks specification: the headers
// webhook-id, webhook-timestamp and webhook-signature ("v1,<base64 of the
// HMAC-SHA256 of id.timestamp.body>"), signed with the official library.
package webhook

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// DefaultTimeout bounds one delivery when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// idleConns is how many connections to the endpoint are kept open between
// events: more than the dispatcher's default of 4 workers.
const idleConns = 16

// maxAnswer is how much of an answer's body is read, so that the connection can
// be kept; the body itself is never kept.
const maxAnswer = 64 << 10

// Config says where and how events are delivered.
type Config struct {
	// URL is the team's endpoint (EVENTS_URL), http or https.
	URL string
	// Secret is the signing secret (EVENTS_SECRET): "whsec_" and the base64 of
	// the key, as Standard Webhooks prints it.
	Secret string
	// Timeout bounds each delivery, on top of the caller's deadline;
	// DefaultTimeout when zero.
	Timeout time.Duration
}

// Sender is the ports.Mailer that delivers events to one endpoint.
type Sender struct {
	cfg    Config
	signer *standardwebhooks.Webhook
	client *http.Client
}

// MinSecretBytes is the shortest signing key accepted, as the specification
// asks: 24 bytes (192 bits).
const MinSecretBytes = 24

// CheckSecret reports what is wrong with a signing secret, or nil.
func CheckSecret(secret string) error {
	const how = `: use "whsec_" followed by the base64 of a random key, such as whsec_$(openssl rand -base64 32)`
	if !strings.HasPrefix(secret, secretPrefix) {
		return errors.New(`it does not start with "whsec_"` + how)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	switch {
	case err != nil:
		return errors.New("what follows whsec_ is not standard base64" + how)
	case len(key) < MinSecretBytes:
		return fmt.Errorf("its key is %d bytes, fewer than %d%s", len(key), MinSecretBytes, how)
	}
	return nil
}

// secretPrefix starts a Standard Webhooks signing secret.
const secretPrefix = "whsec_"

// CheckURL reports what is wrong with an endpoint, or nil.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("it must be an absolute http or https URL, such as https://api.example.com/hooks/pwreset")
	}
	return nil
}

// NewSender returns a Sender for cfg, or an error naming what is wrong with it.
func NewSender(cfg Config) (*Sender, error) {
	if err := CheckURL(cfg.URL); err != nil {
		return nil, fmt.Errorf("events URL: %w", err)
	}
	if err := CheckSecret(cfg.Secret); err != nil {
		return nil, fmt.Errorf("events secret: %w", err)
	}
	signer, err := standardwebhooks.NewWebhook(cfg.Secret)
	if err != nil {
		return nil, fmt.Errorf("events secret: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	// A transport of our own: net/http's default keeps only 2 idle connections per
	// host, so the dispatcher's concurrent workers would dial anew for most events.
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok { // unless a program replaced it
		tr = dt.Clone()
	}
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = idleConns, idleConns
	client := &http.Client{
		Transport: tr,
		// A redirect is not followed: Go would turn the POST into a GET, and a
		// signed event belongs to the address it was configured for.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Sender{cfg: cfg, signer: signer, client: client}, nil
}

// Send implements ports.Mailer for an event: it posts msg's JSON body, signed
// now under the event's id, and returns that id. Every failure is a
// *ports.SendError: unreachable, a timeout and 408, 429 and 5xx are temporary
// (with the wait a 429 or 503 names in RetryAfter); any other answer but 2xx is
// permanent, as resending the same event cannot change it.
func (s *Sender) Send(ctx context.Context, msg ports.Message) (string, error) {
	id := event.ID(msg)
	if id == "" || !event.IsKind(msg.Kind) {
		return "", &ports.SendError{Permanent: true, Reason: fmt.Sprintf("message of kind %q is not an event with an id", msg.Kind)}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := s.request(ctx, id, []byte(msg.Text), time.Now())
	if err != nil {
		return "", &ports.SendError{Permanent: true, Reason: ports.ScrubReason(err.Error())}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", &ports.SendError{Reason: ports.ScrubReason(err.Error())}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", refused(resp, time.Now())
	}
	return id, nil
}

// request builds the signed POST of body as the event id at the time now.
func (s *Sender) request(ctx context.Context, id string, body []byte, now time.Time) (*http.Request, error) {
	sig, err := s.signer.Sign(id, now, body)
	if err != nil {
		return nil, fmt.Errorf("sign event %s: %w", id, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build the request of event %s: %w", id, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "pwreset")
	req.Header.Set(standardwebhooks.HeaderWebhookID, id)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	return req, nil
}
