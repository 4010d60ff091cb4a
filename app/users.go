package app

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// duplicateCheckTimeout bounds the start-up search for shared e-mail addresses,
// a scan of the users that may take a while on a large table without an index.
const duplicateCheckTimeout = time.Minute

// duplicateFinder is a user store that can count the e-mail addresses that more
// than one user holds.
type duplicateFinder interface {
	DuplicateEmails(ctx context.Context) (int, error)
}

// withPolicy wraps the chosen store in what the configuration asks of every
// look-up: with RESET_PASSWORD_ACTIVE_USERS_ONLY, links go only to active users
// with a usable password.
func withPolicy(cfg Config, users ports.UserStore) ports.UserStore {
	if cfg.Reset.ActiveUsersOnly {
		return reset.ActiveUsersOnly(users)
	}
	return users
}

// underlying returns the store the wrappers of withPolicy and tracing hold, for the
// optional interfaces of the store itself.
func underlying(users ports.UserStore) ports.UserStore {
	for {
		w, ok := users.(interface{ Unwrap() ports.UserStore })
		if !ok {
			return users
		}
		users = w.Unwrap()
	}
}

// warnDuplicateEmails logs a warning when users share an e-mail address while
// links are asked for by address: the look-up then finds one of them, whichever
// the database returns first, where django-rest-registration answers 500 and
// Django's own password reset e-mails each. Neither the addresses nor the users
// are logged.
func (a *App) warnDuplicateEmails(ctx context.Context) {
	m := a.cfg.Store.Users
	if !a.cfg.Reset.UseEmail && !slices.Contains(m.LoginFields, m.EmailField) {
		return
	}
	d, ok := underlying(a.users).(duplicateFinder)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, duplicateCheckTimeout)
	defer cancel()
	n, err := d.DuplicateEmails(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.WarnContext(ctx, "could not check for e-mail addresses that several users share", "field", m.EmailField, "error", err)
	case n > 0:
		a.log.WarnContext(ctx, "several users share an e-mail address: a link asked for by such an address goes to "+
			"one of them, whichever the database returns first; make the e-mail field unique",
			slog.String("field", m.EmailField), slog.Int("shared_addresses", n))
	}
}
