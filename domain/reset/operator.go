package reset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// Errors of the operator's commands.
var (
	// ErrNoEmail: the user has no e-mail address to send a link to.
	ErrNoEmail = errors.New("the user has no e-mail address")
	// ErrDisabled: the workflow is switched off, so no link would work.
	ErrDisabled = errors.New("the reset-password workflow is disabled (RESET_PASSWORD_VERIFICATION_ENABLED=false)")
)

// Target names the user an operator issues a link to: by login (looked up in the
// login fields, as the API does) or by verification id. Exactly one is set.
type Target struct {
	Login  string
	UserID string
}

func (t Target) String() string {
	if t.UserID != "" {
		return "user id " + t.UserID
	}
	return "login " + t.Login
}

// IssueLink returns a valid link for the target user and sends nothing: support
// staff hand it over themselves. Neither the rate limits nor the cooldown apply; the
// link counts as the user's latest (older links die if so configured), and the audit
// log records it. The outbox keeps a record of it, suppressed with ReasonPrinted, in
// the one write that counts it. An unknown user is ErrUserNotFound.
func (s *LinkSender) IssueLink(ctx context.Context, t Target) (string, error) {
	user, err := s.operatorTarget(ctx, t)
	if err != nil {
		return "", err
	}
	// The link is dated as recorded: a link older than the user's latest is dead.
	at := s.clock.Now()
	msg, err := s.linkMessage(user, nil, at, false)
	if err != nil {
		return "", err
	}
	id, _, err := s.store(ctx, ports.LimitedMessage{Message: msg, Limits: s.operatorLimits(user.ID), Suppress: ReasonPrinted}, at)
	if err != nil {
		return "", err
	}
	s.audit.Event(ctx, audit.LinkByOperator, "user_id", user.ID, "delivery", "printed", "outbox_id", id)
	return s.link(user, at, false), nil
}

// SendLink queues the link e-mail to the target user in the outbox, where a running
// instance delivers it, and returns its outbox id. Limits do not apply, as for
// IssueLink. An unknown user is ErrUserNotFound, one without an address ErrNoEmail:
// nothing is queued then. `pwreset send-link` calls it, and `pwreset outbox retry`
// for a link e-mail that failed (its link may have expired meanwhile).
func (s *LinkSender) SendLink(ctx context.Context, t Target) (string, error) {
	return s.sendLink(ctx, t, "")
}

// ResendLink queues a fresh link e-mail to the user of the link e-mail that
// failed, as SendLink does (`pwreset outbox retry`), under an id derived from the
// failed message: retries racing on one dead letter store one e-mail.
func (s *LinkSender) ResendLink(ctx context.Context, failed ports.Envelope) (string, error) {
	if failed.Message.Kind != KindResetLink {
		return "", fmt.Errorf("message %s is a %s e-mail, not a link", failed.ID, failed.Message.Kind)
	}
	return s.sendLink(ctx, Target{UserID: failed.Message.UserID}, requeueID(failed))
}

// sendLink is SendLink storing the e-mail under id (empty: the store's choice).
func (s *LinkSender) sendLink(ctx context.Context, t Target, id string) (string, error) {
	return s.queueForOperator(ctx, t, id, func(user ports.User, at time.Time) (ports.Message, error) {
		return s.linkMessage(user, nil, at, false)
	})
}

// queueForOperator queues the e-mail compose writes to the user t names, under id
// (empty: the store's choice), as an operator's link: it counts as the user's
// latest, and no limit holds it back.
func (s *LinkSender) queueForOperator(ctx context.Context, t Target, id string,
	compose func(user ports.User, at time.Time) (ports.Message, error)) (string, error) {
	user, err := s.operatorTarget(ctx, t)
	if err != nil {
		return "", err
	}
	if user.Email == "" {
		return "", fmt.Errorf("%s: %w", t, ErrNoEmail)
	}
	at := s.clock.Now()
	msg, err := compose(user, at)
	if err != nil {
		return "", err
	}
	msg.ID = id
	id, _, err = s.store(ctx, ports.LimitedMessage{Message: msg, Limits: s.operatorLimits(user.ID)}, at)
	if err != nil {
		return "", err
	}
	s.audit.Event(ctx, audit.LinkByOperator, "user_id", user.ID, "delivery", "queued", "outbox_id", id)
	return id, nil
}

// operatorTarget finds the user an operator names.
func (s *LinkSender) operatorTarget(ctx context.Context, t Target) (ports.User, error) {
	if !s.cfg.Enabled {
		return ports.User{}, ErrDisabled
	}
	var user ports.User
	var err error
	if t.UserID != "" {
		user, err = s.users.FindByID(ctx, t.UserID)
	} else {
		user, err = s.users.FindByLogin(ctx, t.Login)
	}
	switch {
	case errors.Is(err, ports.ErrUserNotFound):
		return user, fmt.Errorf("%s: %w", t, ErrUserNotFound)
	case err != nil:
		return user, fmt.Errorf("look up %s: %w", t, err)
	}
	return user, nil
}
