package reset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/ports"
)

// maxClockSkew is how far in the future a link's timestamp may lie (clocks of
// several instances differ a little); anything later was not issued by us.
const maxClockSkew = time.Minute

// Request is what the front end posts to reset a password.
type Request struct {
	UserID    string
	Timestamp int64
	Signature string
	Password  string
	// Confirm is the password confirmation, nil when confirmation is not required.
	Confirm *string
}

// Resetter resets passwords with signed links.
type Resetter struct {
	cfg    Config
	users  ports.UserStore
	hasher ports.PasswordHasher
	signer *link.Signer
	clock  ports.Clock
	policy *policy.Policy
}

// NewResetter returns the reset-password use case.
func NewResetter(cfg Config, users ports.UserStore, hasher ports.PasswordHasher, signer *link.Signer,
	clock ports.Clock, p *policy.Policy) *Resetter {
	return &Resetter{cfg: cfg, users: users, hasher: hasher, signer: signer, clock: clock, policy: p}
}

// Reset verifies the link, checks the new password and stores its hash. Nothing about
// the user is revealed before the signature and its age are verified: an unknown user
// is ErrInvalidSignature, like a forged link.
func (r *Resetter) Reset(ctx context.Context, req Request) error {
	err := r.attempt(ctx, req)
	// Another reset landed between our read and our write. A one-time link died with
	// it; any other link is still valid, so it applies on top, once.
	if errors.Is(err, ports.ErrPasswordChanged) && !r.cfg.OneTimeUse {
		err = r.attempt(ctx, req)
	}
	switch {
	case errors.Is(err, ports.ErrPasswordChanged), errors.Is(err, ports.ErrUserNotFound):
		return ErrInvalidSignature // a one-time link used twice at once, or a user deleted meanwhile
	}
	return err
}

func (r *Resetter) attempt(ctx context.Context, req Request) error {
	user, err := r.verify(ctx, req)
	if err != nil {
		return err
	}
	if err := r.checkPassword(req, user); err != nil {
		return err
	}
	hash, err := r.hasher.Hash(req.Password)
	if errors.Is(err, ports.ErrPasswordTooLong) {
		return &PasswordError{Policy: []string{MsgTooLong}}
	}
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	err = r.users.SetPassword(ctx, ports.PasswordChange{
		UserID: user.ID, OldHash: user.PasswordHash, NewHash: hash, ChangedAt: r.clock.Now(),
	})
	if err != nil {
		return fmt.Errorf("store new password of user %s: %w", user.ID, err)
	}
	return nil
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
	return user, nil
}

func (r *Resetter) checkPassword(req Request, user ports.User) error {
	var e PasswordError
	e.Policy = r.policy.Check(req.Password, attributes(user))
	e.Mismatch = req.Confirm != nil && *req.Confirm != req.Password
	if len(e.Policy) > 0 || e.Mismatch {
		return &e
	}
	return nil
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
