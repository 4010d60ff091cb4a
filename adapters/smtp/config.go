// Package smtp is a mail provider over SMTP (any relay: Amazon SES, Postmark,
// Mailgun, a team's own server), on github.com/wneessen/go-mail. smtptest is an
// in-process SMTP server to test it against.
package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"
)

// DefaultTimeout bounds a Send configured without a Timeout.
const DefaultTimeout = 10 * time.Second

// DefaultPoolSize is the number of connections a Mailer keeps to its relay when
// Config.PoolSize is zero: one per mail worker of the dispatcher's default
// (MAIL_WORKERS=4), so that no worker waits for a connection.
const DefaultPoolSize = 4

// Config says how a Mailer reaches its relay.
type Config struct {
	// URL is smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465
	// (TLS from the first byte). The user and password are optional; the port
	// defaults to 587 and 465.
	URL string
	// NoTLS sends over smtp:// in the clear. Only for a relay on the same host or
	// network; by default STARTTLS is required and a relay without it is an error.
	NoTLS bool
	// Timeout bounds each Send, connection included; default DefaultTimeout.
	Timeout time.Duration
	// PoolSize is the most connections kept open to the relay at once, each
	// carrying one message at a time; default DefaultPoolSize. A Send that finds
	// them all busy waits for one.
	PoolSize int
	// TLSConfig, if set, replaces the default TLS settings (system roots), for
	// tests and private certificate authorities. Its ServerName is set to the host.
	TLSConfig *tls.Config
}

// Endpoint is a parsed SMTP URL.
type Endpoint struct {
	Host     string
	Port     int
	Implicit bool // smtps: TLS from the first byte
	User     string
	Password string
}

// ErrBadURL is wrapped by ParseURL's errors.
var ErrBadURL = errors.New("want smtp://user:password@host:587 or smtps://user:password@host:465")

// ParseURL reads an SMTP URL. Its errors never hold the password.
func ParseURL(raw string) (Endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%w: it does not parse", ErrBadURL)
	}
	e := Endpoint{Host: u.Hostname(), User: u.User.Username()}
	e.Password, _ = u.User.Password()
	switch u.Scheme {
	case "smtp":
		e.Port = 587
	case "smtps":
		e.Port, e.Implicit = 465, true
	default:
		return Endpoint{}, fmt.Errorf("%w: scheme %q", ErrBadURL, u.Scheme)
	}
	if e.Host == "" {
		return Endpoint{}, fmt.Errorf("%w: no host", ErrBadURL)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, fmt.Errorf("%w: port %q", ErrBadURL, p)
		}
		e.Port = n
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("%w: nothing after the port", ErrBadURL)
	}
	return e, nil
}

// Addr is host:port.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }
