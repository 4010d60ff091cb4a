package smtp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/pwreset/pwreset/ports"
)

// Mailer is a ports.Mailer that hands messages to an SMTP relay over connections
// it keeps open, at most Config.PoolSize of them: each carries one message at a
// time, with RSET between messages. Send is safe for concurrent use.
type Mailer struct {
	client  *gomail.Client
	pool    *pool
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
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = DefaultPoolSize
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	tc.ServerName = e.Host
	var implicitTLS *tls.Config
	// The pool checks a kept connection with NOOP itself, and only after it
	// waited checkAfter (see deliver); go-mail would before every message.
	opts := []gomail.Option{gomail.WithPort(e.Port), gomail.WithTimeout(cfg.Timeout), gomail.WithTLSConfig(tc),
		gomail.WithoutNoop()}
	switch {
	case e.Implicit && cfg.NoTLS:
		return nil, errors.New("smtp: smtps:// is TLS from the first byte; NoTLS needs smtp://")
	case e.Implicit:
		// The pool's dialer speaks TLS from the first byte; go-mail sees the TLS
		// connection (and allows a login over it) and has no STARTTLS to do.
		implicitTLS = tc
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case cfg.NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if e.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(e.User), gomail.WithPassword(e.Password))
	}
	p := newPool(cfg.PoolSize, implicitTLS)
	c, err := gomail.NewClient(e.Host, append(opts, gomail.WithDialContextFunc(p.dialContext))...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	p.client = c
	return &Mailer{client: c, pool: p, timeout: cfg.Timeout}, nil
}

// Send implements ports.Mailer: a multipart/alternative message of the text and,
// if there is one, the HTML, with a Message-ID of its own, which it returns as the
// provider's id. Failures are *ports.SendError: Status is the SMTP reply code (0
// when the relay was not reached or said nothing), 5xx replies are permanent, 4xx
// replies and network failures temporary, with RetryAfter when the reply names a
// wait. Send ends when ctx does, or after the configured timeout.
func (m *Mailer) Send(ctx context.Context, msg ports.Message) (string, error) {
	out, id, err := compose(msg)
	if err != nil {
		return "", &ports.SendError{Reason: ports.ScrubReason(err.Error()), Permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	for {
		c, err := m.pool.get(ctx)
		if err != nil {
			return "", m.failure(ctx, err)
		}
		reused := c.reused // c is the pool's again once delivered
		accepted, err := m.deliver(ctx, c, out)
		switch {
		case accepted:
			// A message the relay accepted (250 after DATA) is the relay's: an RSET
			// or QUIT that fails afterwards must not make the outbox send it again.
			return id, nil
		case reused && stale(err) && ctx.Err() == nil:
			// A kept connection the relay had closed failed its NOOP or MAIL FROM:
			// nothing of the message left, so a fresh connection may carry it.
			continue
		}
		return "", m.failure(ctx, err)
	}
}

// deliver sends out over c, pipelined where the relay allows it, and puts c back
// in the pool, kept when it is still in step with the relay. It reports whether
// the relay accepted the message. The connection is cut when ctx ends.
func (m *Mailer) deliver(ctx context.Context, c *conn, out *gomail.Msg) (accepted bool, err error) {
	cut := context.AfterFunc(ctx, func() { _ = c.raw.Close() })
	// The deadline the connection's last use left may have passed while it waited.
	err = c.client.UpdateDeadline(m.timeout)
	if err == nil && c.check {
		if err = c.client.Noop(); err != nil {
			err = &checkError{err}
		}
	}
	keep := false
	switch {
	case err != nil:
	case c.pipelining:
		accepted, keep, err = c.sendPipelined(out)
	default:
		err = m.client.SendWithSMTPClient(c.client, out)
		accepted = out.IsDelivered()
		// A refusal leaves the connection usable once RSET is answered; a 421 or
		// a broken connection does not.
		keep = err == nil || c.client.Reset() == nil
	}
	if !cut() { // ctx's end cut the connection
		keep = false
	}
	m.pool.put(c, keep)
	return accepted, err
}

// failure is the SendError of err. Past ctx's end, one without a reply of the
// relay says that time ran out, before how the connection was cut.
func (m *Mailer) failure(ctx context.Context, err error) *ports.SendError {
	se := classify(err)
	if se.Status == 0 && ctx.Err() != nil {
		se.Reason = ports.ScrubReason(fmt.Sprintf("no answer from the relay in time (%v): %v", ctx.Err(), err))
	}
	return se
}

// Close says QUIT on the idle connections and closes them. Connections in use
// close when their send ends; a later Send opens new ones.
func (m *Mailer) Close() { m.pool.close() }

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
