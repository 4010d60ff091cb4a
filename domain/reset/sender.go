package reset

import (
	"context"
	"errors"
	"fmt"

	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/ports"
)

// KindResetLink is the Kind of the reset-link message.
const KindResetLink = "reset_link"

// Lookup says how to find the user who asks for a link.
type Lookup struct {
	Value   string
	ByEmail bool // look Value up in the e-mail field rather than the login fields
}

// LinkSender sends reset-password links.
type LinkSender struct {
	cfg       Config
	users     ports.UserStore
	mailer    ports.Mailer
	signer    *link.Signer
	clock     ports.Clock
	templates *Templates
}

// NewLinkSender returns the send-link use case.
func NewLinkSender(cfg Config, users ports.UserStore, mailer ports.Mailer, signer *link.Signer,
	clock ports.Clock, templates *Templates) *LinkSender {
	return &LinkSender{cfg: cfg, users: users, mailer: mailer, signer: signer, clock: clock, templates: templates}
}

// Send finds the user and hands a link e-mail to the mailer (the outbox, which
// delivers it). A user who cannot be found, or who has no
// e-mail address, gets no mail: Send returns ErrUserNotFound if the configuration
// reveals that, and nil otherwise.
func (s *LinkSender) Send(ctx context.Context, l Lookup) error {
	user, err := s.find(ctx, l)
	if err == nil && user.Email == "" {
		err = ports.ErrUserNotFound
	}
	if errors.Is(err, ports.ErrUserNotFound) {
		if s.cfg.FailWhenUserNotFound {
			return ErrUserNotFound
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up user: %w", err)
	}
	return s.sendTo(ctx, user)
}

// Reissue sends a fresh link to the user with the given verification id, for a link
// e-mail that could not be delivered (its link may have expired meanwhile).
func (s *LinkSender) Reissue(ctx context.Context, userID string) error {
	user, err := s.users.FindByID(ctx, userID)
	if err == nil && user.Email == "" {
		err = ports.ErrUserNotFound
	}
	if err != nil {
		return fmt.Errorf("look up user %s: %w", userID, err)
	}
	return s.sendTo(ctx, user)
}

func (s *LinkSender) sendTo(ctx context.Context, user ports.User) error {
	msg, err := s.message(user)
	if err != nil {
		return err
	}
	if _, err := s.mailer.Send(ctx, msg); err != nil {
		return fmt.Errorf("queue reset link for user %s: %w", user.ID, err)
	}
	return nil
}

func (s *LinkSender) find(ctx context.Context, l Lookup) (ports.User, error) {
	if l.ByEmail {
		return s.users.FindByEmail(ctx, l.Value)
	}
	return s.users.FindByLogin(ctx, l.Value)
}

// message builds the link e-mail for user.
func (s *LinkSender) message(user ports.User) (ports.Message, error) {
	claims := link.Claims{UserID: user.ID, Timestamp: s.clock.Now().Unix(), PasswordHash: user.PasswordHash}
	url := link.Build(s.cfg.URL, claims, s.signer.Sign(claims))
	data := map[string]string{}
	for _, f := range user.Logins {
		data[f.Name] = f.Value
	}
	data["email"] = user.Email
	data["verification_url"] = url
	r, err := s.templates.render(data)
	if err != nil {
		return ports.Message{}, err
	}
	return ports.Message{Kind: KindResetLink, UserID: user.ID, From: s.cfg.From, To: user.Email,
		Subject: r.subject, Text: r.text, HTML: r.html}, nil
}

// Enabled reports whether the workflow is switched on; when it is not, both
// endpoints answer as if they did not exist.
func (s *LinkSender) Enabled() bool { return s.cfg.Enabled }

// RevealsUnknownUsers reports whether an unknown user gets an error rather than the
// same answer as a known one.
func (s *LinkSender) RevealsUnknownUsers() bool { return s.cfg.FailWhenUserNotFound }
