package reset

import (
	"context"
	"strings"

	"github.com/pwreset/pwreset/ports"
)

// UnusablePasswordPrefix starts every hash Django stores for an unusable password
// (set_unusable_password, make_password(None)), which no password matches.
const UnusablePasswordPrefix = "!"

// Eligible reports whether user may be sent a link under the rules of Django's
// PasswordResetForm: the account is active and its password usable.
func Eligible(user ports.User) bool {
	return !user.Inactive && !strings.HasPrefix(user.PasswordHash, UnusablePasswordPrefix)
}

// ActiveUsersOnly returns users with the look-ups a link is asked by (FindByLogin,
// FindByEmail) finding only Eligible users (RESET_PASSWORD_ACTIVE_USERS_ONLY): any
// other is ErrUserNotFound, and so gets what an unknown login gets, after the same
// work. FindByID and SetPassword are users' own: a link sent before an account was
// deactivated still resets it, as in Django, whose login refuses inactive users.
func ActiveUsersOnly(users ports.UserStore) ports.UserStore {
	return activeUsers{users}
}

type activeUsers struct{ ports.UserStore }

// Unwrap returns the store underneath, for the optional interfaces it implements.
func (s activeUsers) Unwrap() ports.UserStore { return s.UserStore }

// FindByLogin implements ports.UserStore, finding only Eligible users.
func (s activeUsers) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	return eligible(s.UserStore.FindByLogin(ctx, login))
}

// FindByEmail implements ports.UserStore, finding only Eligible users.
func (s activeUsers) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	return eligible(s.UserStore.FindByEmail(ctx, email))
}

func eligible(u ports.User, err error) (ports.User, error) {
	if err == nil && !Eligible(u) {
		return ports.User{}, ports.ErrUserNotFound
	}
	return u, err
}
