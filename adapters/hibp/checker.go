// Package hibp checks passwords against Have I Been Pwned's Pwned Passwords range
// API. It uses k-anonymity: only the first five hex characters of the password's
// SHA-1 leave the process; the API answers with every known suffix under that
// prefix, and the match is made here.
package hibp

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Pwned Passwords API host.
const DefaultBaseURL = "https://api.pwnedpasswords.com"

// DefaultTimeout bounds one check when Config.Timeout is zero. It is short because
// a failed check lets the reset through: a slow HIBP must not make resets slow.
const DefaultTimeout = 2 * time.Second

// DefaultUserAgent is sent when Config.UserAgent is empty; HIBP asks every client
// to identify itself.
const DefaultUserAgent = "pwreset"

// prefixLen is how many hex characters of the hash are sent: 20 bits, which HIBP
// chose so that every prefix matches hundreds of leaked hashes.
const prefixLen = 5

// Config says how to reach the API.
type Config struct {
	// BaseURL is the API host, without /range; DefaultBaseURL when empty.
	BaseURL string
	// Timeout bounds each check, on top of any deadline the caller's context has;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// UserAgent identifies the service to HIBP; DefaultUserAgent when empty.
	UserAgent string
}

// Checker is the ports.BreachChecker backed by the Pwned Passwords range API. It is
// safe for concurrent use.
type Checker struct {
	cfg    Config
	client *http.Client
}

// NewChecker returns a Checker for cfg, with the defaults filled in.
func NewChecker(cfg Config) *Checker {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	return &Checker{cfg: cfg, client: newClient()}
}

// newClient returns a client of the Checker's own. Its transport is built here
// rather than taken from http.DefaultTransport, a package variable other code may
// replace or instrument. The deadline comes from the context, so the client needs no
// Timeout.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 8,
			IdleConnTimeout:     90 * time.Second,
		},
		// The API never redirects; following one would send the prefix and our
		// headers to a host nobody configured. The 3xx is reported as an error.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Breached implements ports.BreachChecker: it reports whether the password's hash is
// listed with a count above zero. Errors say what failed and never contain the
// password or its hash.
func (c *Checker) Breached(ctx context.Context, password string) (bool, error) {
	sum := sha1.Sum([]byte(password))
	hash := strings.ToUpper(hex.EncodeToString(sum[:]))
	body, err := c.fetch(ctx, hash[:prefixLen])
	if err != nil {
		return false, err
	}
	return lookup(body, hash[prefixLen:])
}

// fetch returns the API's list of suffixes under prefix.
func (c *Checker) fetch(ctx context.Context, prefix string) (string, error) {
	// The body is read under the same deadline: a server that sends its headers and
	// then stalls must not hold the reset up either.
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/range/"+prefix, nil)
	if err != nil {
		// Not wrapped: url.Error quotes the URL, prefix included.
		return "", fmt.Errorf("hibp: base URL %q is not usable", c.cfg.BaseURL)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	// Padding makes every answer 800 to 1,000 lines long, so that an eavesdropper
	// cannot guess the prefix from the size of the answer.
	req.Header.Set("Add-Padding", "true")

	resp, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("hibp: range request failed: %w", withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drained so that the connection can be used again.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return "", fmt.Errorf("hibp: range API answered %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return "", fmt.Errorf("hibp: read response: %w", withoutURL(err))
	}
	if len(b) > maxBody {
		return "", fmt.Errorf("hibp: malformed response: longer than %d bytes", maxBody)
	}
	return string(b), nil
}

// withoutURL strips the request URL that net/http puts in its errors, so that
// logs do not tie a reset to a hash prefix. The cause stays wrapped, for errors.Is
// with context.DeadlineExceeded.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
