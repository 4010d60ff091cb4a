package reset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// DefaultStoreTimeout is Config.StoreTimeout when it is not set: well within the
// HTTP server's write timeout, so that the answer still reaches a client that waits.
const DefaultStoreTimeout = 20 * time.Second

// Waits between two writes of a password whose compare-and-set another reset won.
const (
	firstRetryWait = 5 * time.Millisecond
	maxRetryWait   = 200 * time.Millisecond
)

func (r *Resetter) storeTimeout() time.Duration {
	if r.cfg.StoreTimeout > 0 {
		return r.cfg.StoreTimeout
	}
	return DefaultStoreTimeout
}

// change holds the password-changed notice and event, writes hash as the password
// of user and settles them alike: released at once after a change, withdrawn when the
// change surely was not made, left to go out when due when no one can tell. That
// last case is a store that failed and still shows the old hash, where the write
// may yet land: a notice that may be false is the lesser evil.
func (r *Resetter) change(ctx context.Context, req Request, user ports.User, hash string) (ports.User, error) {
	n, err := r.hold(ctx, user, req.Languages)
	if err != nil {
		return user, err
	}
	user, err = r.store(ctx, req, user, hash)
	var open unsettled
	switch {
	case err == nil:
		r.audit.Event(ctx, audit.ResetSucceeded, "user_id", user.ID)
		r.release(ctx, n)
	case !errors.As(err, &open):
		r.withdraw(ctx, n)
	}
	return user, err
}

// unsettled is the error of a write that failed in a way that may still let it
// land: nobody can tell yet whether the password changed.
type unsettled struct{ error }

func (u unsettled) Unwrap() error { return u.error }

// store writes hash as the password of user, the link's user as verify read it, and
// returns the user as it then stands. ctx is not the client's: a client that hangs
// up after the write was sent must not stop the change halfway.
//
// When the write fails, the user is read again, for the write's answer may have
// been lost with the change made: a stored hash equal to hash is a success. A hash
// that is neither the one read nor hash means that another reset got there first.
// A one-time link died with that change; any other link is still good, so it is
// checked against the user as now stored and the same hash written again on top
// (never hashed anew), until it lands or ctx ends. A lost compare-and-set that left
// the old hash in place (another writer holds the user, or died holding it) is
// tried again until ctx ends: then ErrUnavailable, never ErrInvalidSignature, as
// the link was not used. An unclear error (the store unreachable, a deadline) that
// left the old hash in place is returned as it is; a write the store refused
// (ports.ErrWriteRefused) surely did not apply and is returned at once.
func (r *Resetter) store(ctx context.Context, req Request, user ports.User, hash string) (ports.User, error) {
	wait := firstRetryWait
	for {
		if ctx.Err() != nil {
			return user, r.contended(user)
		}
		err := r.users.SetPassword(ctx, ports.PasswordChange{
			UserID: user.ID, OldHash: user.PasswordHash, NewHash: hash, ChangedAt: r.clock.Now()})
		if err == nil {
			return user, nil
		}
		if errors.Is(err, ports.ErrUserNotFound) {
			return user, err
		}
		if errors.Is(err, ports.ErrWriteRefused) {
			// Refused outright, so surely not made, whatever a read would show.
			return user, fmt.Errorf("store new password of user %s: %w", user.ID, err)
		}
		lost := errors.Is(err, ports.ErrPasswordChanged)
		if !lost {
			err = fmt.Errorf("store new password of user %s: %w", user.ID, err)
		}
		now, rerr := r.users.FindByID(ctx, user.ID)
		switch {
		case rerr != nil && lost:
			// The store refused this write: surely not made, whatever the read would show.
			return user, errors.Join(err, fmt.Errorf("read user %s again after a lost change: %w", user.ID, rerr))
		case rerr != nil:
			return user, unsettled{errors.Join(err, fmt.Errorf("read user %s again after a failed change: %w", user.ID, rerr))}
		case now.PasswordHash == hash:
			return now, nil // made, its answer lost
		case now.PasswordHash == user.PasswordHash && !lost:
			return user, unsettled{err} // not made, or not yet: the client may try again
		case now.PasswordHash != user.PasswordHash && r.cfg.OneTimeUse:
			return user, ErrInvalidSignature // another reset has used the link
		case now.PasswordHash != user.PasswordHash:
			// The other change has landed: write on top of it at once.
			if err := r.check(ctx, req, now, true); err != nil {
				return user, err // say, a newer link was sent meanwhile
			}
			user, wait = now, firstRetryWait
			continue
		}
		// The other change is under way (its guard taken, its write not yet seen), or
		// its writer died holding the guard: try again a little later. A one-time link
		// is not used until that change lands; if it never does, the answer is 503.
		select {
		case <-ctx.Done():
			return user, r.contended(user)
		case <-time.After(wait):
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// contended is the error of a change that other changes kept from landing until
// the store timeout: a 503, and the client may try again.
func (r *Resetter) contended(user ports.User) error {
	return fmt.Errorf("store new password of user %s: other changes kept coming first for %s: %w",
		user.ID, r.storeTimeout(), ports.ErrUnavailable)
}
