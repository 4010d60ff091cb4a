package reset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	cfg    Config
	users  ports.UserStore
	hasher ports.PasswordHasher
	signer link.Scheme
	clock  ports.Clock
	policy *policy.Policy
	breach ports.BreachChecker // nil: no breach check
	outbox Outbox
	emails Emails
	audit  *audit.Log
	log    *slog.Logger
}

// ResetterDeps are what a Resetter works with. Every one is needed but Breach.
type ResetterDeps struct {
	// Config is the workflow's configuration.
	Config Config
	// Users finds the link's user and stores the new hash.
	Users ports.UserStore
	// Hasher hashes the new password.
	Hasher ports.PasswordHasher
	// Signer verifies the links (pwreset's or Django's signatures).
	Signer link.Scheme
	// Clock gives the links' age and the times stored in the outbox.
	Clock ports.Clock
	// Policy checks the new password.
	Policy *policy.Policy
	// Breach checks the new password against known breaches; nil: no breach check.
	Breach ports.BreachChecker
	// Outbox holds the password-changed notice (and event) while the password is
	// written, then releases or withdraws it; which link is a user's latest it tells
	// too, by the events its AddLimited recorded. app wires domain/outbox.Queue.
	Outbox Outbox
	// Emails are the templates of the password-changed notice.
	Emails Emails
	// Audit records the resets and their failures.
	Audit *audit.Log
	// Log tells what goes wrong that the answer does not: a breach check that
	// failed, a held notice that cannot be released or withdrawn.
	Log *slog.Logger
}

// NewResetter returns the reset-password use case.
func NewResetter(d ResetterDeps) *Resetter {
	return &Resetter{cfg: d.Config, users: d.Users, hasher: d.Hasher, signer: d.Signer, clock: d.Clock, policy: d.Policy,
		breach: d.Breach, outbox: d.Outbox, emails: d.Emails, audit: d.Audit, log: d.Log}
}

// Reset verifies the link, checks the new password and stores its hash. Nothing about
// the user is revealed before the signature and its age are verified: an unknown user
// is ErrInvalidSignature, like a forged link.
//
// Once the new hash is about to be written, the client no longer has a say: the
// notice, the write and the audit event are finished on a context of their own (see
// change), so that no password changes without them.
func (r *Resetter) Reset(ctx context.Context, req Request) error {
	user, hash, err := r.prepare(ctx, req)
	if err == nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.storeTimeout())
		defer cancel()
		ctx = sctx
		if user, err = r.change(sctx, req, user, hash); err == nil {
			return nil
		}
	}
	if errors.Is(err, ports.ErrUserNotFound) {
		err = ErrInvalidSignature // the user was deleted meanwhile
	}
	if reason := failure(err); reason != "" {
		r.audit.Event(ctx, audit.ResetFailed, "user_id", user.ID, "reason", reason)
	}
	return err
}

// Reasons a reset fails, as the audit log records them.
const (
	ReasonInvalidSignature = "invalid_signature"
	ReasonExpired          = "expired"
	ReasonPasswordRefused  = "password_refused"
)

// failure names what went wrong for the audit log; "" for success and for errors
// of our own (those are logged where they are answered).
func failure(err error) string {
	var pe *PasswordError
	switch {
	case errors.Is(err, ErrInvalidSignature):
		return ReasonInvalidSignature
	case errors.Is(err, ErrSignatureExpired):
		return ReasonExpired
	case errors.As(err, &pe):
		return ReasonPasswordRefused
	}
	return ""
}

// prepare verifies the link and the password, and returns the link's user (its id
// empty until the link is verified) and the new password's hash.
func (r *Resetter) prepare(ctx context.Context, req Request) (ports.User, string, error) {
	user, err := r.verify(ctx, req)
	if err != nil {
		return ports.User{}, "", err
	}
	if err := r.checkPassword(ctx, req, user); err != nil {
		return user, "", err
	}
	hash, err := ports.HashWith(ctx, r.hasher, req.Password)
	if errors.Is(err, ports.ErrPasswordTooLong) {
		return user, "", &PasswordError{Policy: []string{MsgTooLong}}
	}
	if err != nil {
		return user, "", fmt.Errorf("hash password: %w", err)
	}
	return user, hash, nil
}

// verify returns the link's user once its signature and age are good.
func (r *Resetter) verify(ctx context.Context, req Request) (ports.User, error) {
	user, err := r.users.FindByID(ctx, req.UserID)
	found := err == nil
	if err != nil && !errors.Is(err, ports.ErrUserNotFound) {
		return user, fmt.Errorf("look up user: %w", err)
	}
	return user, r.check(ctx, req, user, found)
}

// check verifies the link of req against user as stored.
func (r *Resetter) check(ctx context.Context, req Request, user ports.User, found bool) error {
	claims := link.Claims{UserID: req.UserID, Timestamp: req.Timestamp, PasswordHash: user.PasswordHash}
	// The signature is checked even for an unknown user, so both take the same time.
	if !r.signer.Verify(claims, req.Signature) || !found {
		return ErrInvalidSignature
	}
	age := r.clock.Now().Sub(time.Unix(req.Timestamp, 0))
	if age < -maxClockSkew {
		return ErrInvalidSignature
	}
	if age > r.cfg.Period {
		return ErrSignatureExpired
	}
	old, err := r.superseded(ctx, user.ID, req.Timestamp)
	if err != nil {
		return err
	}
	if old {
		return ErrInvalidSignature // a newer link was sent since
	}
	return nil
}

func (r *Resetter) checkPassword(ctx context.Context, req Request, user ports.User) error {
	var e PasswordError
	e.Policy = r.policy.Check(req.Password, Attributes(user))
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
