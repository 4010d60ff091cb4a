package app

import (
	"context"
	"log/slog"
)

// UnsafeDefaults lists, one sentence each, the settings of cfg that keep
// django-rest-registration's defaults where those expose users: its contract, and so
// pwreset's defaults, but not what a production service should run with. Demo mode,
// and a workflow that is switched off, expose nobody.
func UnsafeDefaults(cfg Config) []string {
	if cfg.Demo() || !cfg.Enabled {
		return nil
	}
	var w []string
	if cfg.FailWhenUserNotFound {
		w = append(w, "RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=true: send-reset-password-link answers "+
			"\"User not found\" for an unknown login, so anyone can find out who has an account; "+
			"set RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false")
	}
	if !cfg.OneTimeUse {
		w = append(w, "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=false: a reset link keeps working after it was used, "+
			"for all of RESET_PASSWORD_VERIFICATION_PERIOD, so whoever reads the e-mail later can set the password again; "+
			"set RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")
	}
	return w
}

// warnUnsafeDefaults logs one warning per entry of UnsafeDefaults.
func warnUnsafeDefaults(ctx context.Context, log *slog.Logger, cfg Config) {
	for _, w := range UnsafeDefaults(cfg) {
		log.WarnContext(ctx, "unsafe default: "+w)
	}
}
