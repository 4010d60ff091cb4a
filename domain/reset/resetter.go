package reset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/ports"
)

// maxClockSkew is how far in the future a link's timestamp may lie (clocks of
// several instances differ a little); anything later was not issued by us.
const maxClockSkew = time.Minute

// MsgBreached is the policy message for a password known to have leaked.
const MsgBreached = "This password has appeared in a data breach."

// Request is what the front end posts to reset a password.
type Request struct {
	UserID    string
	Timestamp int64
	Signature string
	Password  string
	// Confirm is the password confirmation, nil when confirmation is not required.
	Confirm *string
	// Languages are those the requester prefers, best first (from Accept-Language); the
	// password-changed e-mail is in the first supported one unless the user has a
	// language of their own.
	Languages []string
}

// Resetter resets passwords with signed links.
type Resetter struct {
	cfg     Config
	users   ports.UserStore
	hasher  ports.PasswordHasher
	signer  *link.Signer
	clock   ports.Clock
	policy  *policy.Policy
	breach  ports.BreachChecker // nil: no breach check
	limiter ports.RateLimiter
	mailer  ports.Mailer
	emails  Emails
	audit   *audit.Log
	log     *slog.Logger
}

// NewResetter returns the reset-password use case; breach may be nil.
func NewResetter(cfg Config, users ports.UserStore, hasher ports.PasswordHasher, signer *link.Signer,
	clock ports.Clock, p *policy.Policy, breach ports.BreachChecker, limiter ports.RateLimiter,
	mailer ports.Mailer, emails Emails, auditLog *audit.Log, log *slog.Logger) *Resetter {
	return &Resetter{cfg: cfg, users: users, hasher: hasher, signer: signer, clock: clock, policy: p,
		breach: breach, limiter: limiter, mailer: mailer, emails: emails, audit: auditLog, log: log}
}

// Reset verifies the link, checks the new password and stores its hash. Nothing about
// the user is revealed before the signature and its age are verified: an unknown user
// is ErrInvalidSignature, like a forged link.
func (r *Resetter) Reset(ctx context.Context, req Request) error {
	user, err := r.attempt(ctx, req)
	// Another reset landed between our read and our write. A one-time link died with
	// it; any other link is still valid, so it applies on top, once.
	if errors.Is(err, ports.ErrPasswordChanged) && !r.cfg.OneTimeUse {
		user, err = r.attempt(ctx, req)
	}
	if errors.Is(err, ports.ErrPasswordChanged) || errors.Is(err, ports.ErrUserNotFound) {
		err = ErrInvalidSignature // a one-time link used twice at once, or a user deleted meanwhile
	}
	if reason := failure(err); reason != "" {
		r.audit.Event(ctx, audit.ResetFailed, "user_id", user.ID, "reason", reason)
	}
	if err != nil {
		return err
	}
	r.audit.Event(ctx, audit.ResetSucceeded, "user_id", user.ID)
	r.notify(ctx, user, req.Languages)
	return nil
}

// failure names what went wrong for the audit log; "" for success and for errors
// of our own (those are logged where they are answered).
func failure(err error) string {
	var pe *PasswordError
	switch {
	case errors.Is(err, ErrInvalidSignature):
		return "invalid_signature"
	case errors.Is(err, ErrSignatureExpired):
		return "expired"
	case errors.As(err, &pe):
		return "password_refused"
	}
	return ""
}

// attempt returns the user (its id empty until the link is verified) and the outcome.
func (r *Resetter) attempt(ctx context.Context, req Request) (ports.User, error) {
	user, err := r.verify(ctx, req)
	if err != nil {
		return ports.User{}, err
	}
	if err := r.checkPassword(ctx, req, user); err != nil {
		return user, err
	}
	hash, err := r.hasher.Hash(req.Password)
	if errors.Is(err, ports.ErrPasswordTooLong) {
		return user, &PasswordError{Policy: []string{MsgTooLong}}
	}
	if err != nil {
		return user, fmt.Errorf("hash password: %w", err)
	}
	err = r.users.SetPassword(ctx, ports.PasswordChange{
		UserID: user.ID, OldHash: user.PasswordHash, NewHash: hash, ChangedAt: r.clock.Now(),
	})
	if err != nil && !errors.Is(err, ports.ErrPasswordChanged) && !errors.Is(err, ports.ErrUserNotFound) {
		err = fmt.Errorf("store new password of user %s: %w", user.ID, err)
	}
	return user, err
}

// verify returns the link's user once its signature and age are good.
func (r *Resetter) verify(ctx context.Context, req Request) (ports.User, error) {
	user, err := r.users.FindByID(ctx, req.UserID)
	found := err == nil
	if err != nil && !errors.Is(err, ports.ErrUserNotFound) {
		return user, fmt.Errorf("look up user: %w", err)
	}
	claims := link.Claims{UserID: req.UserID, Timestamp: req.Timestamp, PasswordHash: user.PasswordHash}
	// The signature is checked even for an unknown user, so both take the same time.
	if !r.signer.Verify(claims, req.Signature) || !found {
		return user, ErrInvalidSignature
	}
	age := r.clock.Now().Sub(time.Unix(req.Timestamp, 0))
	if age < -maxClockSkew {
		return user, ErrInvalidSignature
	}
	if age > r.cfg.Period {
		return user, ErrSignatureExpired
	}
	old, err := r.superseded(ctx, user.ID, req.Timestamp)
	if err != nil {
		return user, err
	}
	if old {
		return user, ErrInvalidSignature // a newer link was sent since
	}
	return user, nil
}

func (r *Resetter) checkPassword(ctx context.Context, req Request, user ports.User) error {
	var e PasswordError
	e.Policy = r.policy.Check(req.Password, attributes(user))
	if r.breached(ctx, req.Password) {
		e.Policy = append(e.Policy, MsgBreached)
	}
	e.Mismatch = req.Confirm != nil && *req.Confirm != req.Password
	if len(e.Policy) > 0 || e.Mismatch {
		return &e
	}
	return nil
}

// breached asks the breach checker; when it cannot answer, the password goes through
// (a reset must not depend on a third party being up) and a warning is logged.
func (r *Resetter) breached(ctx context.Context, password string) bool {
	if r.breach == nil {
		return false
	}
	found, err := r.breach.Breached(ctx, password)
	if err != nil {
		r.log.WarnContext(ctx, "breached-password check failed; password accepted without it", "error", err)
		return false
	}
	return found
}

// notify e-mails the user that the password changed. The change is made: a failure
// here is logged, not returned.
func (r *Resetter) notify(ctx context.Context, user ports.User, langs []string) {
	if !r.cfg.ChangedNotification || user.Email == "" {
		return
	}
	lang := r.emails.Changed.language(user, langs)
	when := r.clock.Now().UTC().Format(changedAtLayouts[lang])
	msg, err := r.emails.Changed.Render(lang, r.cfg.From, user, map[string]string{"changed_at": when})
	if err == nil {
		_, err = r.mailer.Send(ctx, msg)
	}
	if err != nil {
		r.log.ErrorContext(ctx, "queue the password-changed e-mail", "user_id", user.ID, "error", err)
	}
}

// attributes lists what the password must not resemble: every login field and the
// e-mail address, named as Django names them.
func attributes(user ports.User) []policy.Attribute {
	var attrs []policy.Attribute
	for _, f := range user.Logins {
		attrs = append(attrs, policy.Attribute{Name: strings.ReplaceAll(f.Name, "_", " "), Value: f.Value})
	}
	if user.Email != "" {
		attrs = append(attrs, policy.Attribute{Name: "email address", Value: user.Email})
	}
	return attrs
}
