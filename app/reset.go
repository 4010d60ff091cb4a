package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/reset"
)

// ResetSettings are django-rest-registration's reset-password workflow settings,
// the keys that sign its links, and the limits on how many links go out.
type ResetSettings struct {
	Enabled              bool          `env:"RESET_PASSWORD_VERIFICATION_ENABLED" envDefault:"true"`
	FailWhenUserNotFound bool          `env:"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND" envDefault:"true"`
	ActiveUsersOnly      bool          `env:"RESET_PASSWORD_ACTIVE_USERS_ONLY" envDefault:"false"`
	Period               time.Duration `env:"RESET_PASSWORD_VERIFICATION_PERIOD" envDefault:"24h"`
	URL                  string        `env:"RESET_PASSWORD_VERIFICATION_URL"`
	OneTimeUse           bool          `env:"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE" envDefault:"false"`
	PasswordConfirm      bool          `env:"RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM" envDefault:"false"`
	UseEmail             bool          `env:"SEND_RESET_PASSWORD_LINK_SERIALIZER_USE_EMAIL" envDefault:"false"`

	// SecretKey signs the links; SecretKeyFallbacks still verify those signed before
	// a rotation. Their rules depend on LINK_SIGNATURE (Config.keyProblems).
	SecretKey          string   `env:"SECRET_KEY"`
	SecretKeyFallbacks []string `env:"SECRET_KEY_FALLBACKS"`

	LinkCooldown         time.Duration `env:"RESET_PASSWORD_LINK_COOLDOWN" envDefault:"60s"`
	LinkDailyCap         int           `env:"RESET_PASSWORD_LINK_DAILY_CAP" envDefault:"5"`
	LinksPerHour         int           `env:"RESET_PASSWORD_LINKS_PER_HOUR" envDefault:"1000"`
	LinksClientShare     int           `env:"RESET_PASSWORD_LINKS_CLIENT_SHARE" envDefault:"5"`
	InvalidateOlderLinks bool          `env:"RESET_PASSWORD_INVALIDATE_OLDER_LINKS" envDefault:"false"`
	ChangedNotification  bool          `env:"RESET_PASSWORD_CHANGED_NOTIFICATION" envDefault:"true"`
}

// MinSecretKeyBytes is the shortest SECRET_KEY accepted: 256 bits for HMAC-SHA256.
const MinSecretKeyBytes = 32

func (r ResetSettings) problems() []error {
	var p []error
	if r.URL != "" && link.CheckBaseURL(r.URL) != nil {
		p = append(p, fmt.Errorf("RESET_PASSWORD_VERIFICATION_URL %q: %v", r.URL, link.ErrBadBaseURL))
	}
	if r.Period <= 0 {
		p = append(p, errors.New("RESET_PASSWORD_VERIFICATION_PERIOD must be positive, such as 24h or 30m"))
	}
	if r.LinkCooldown < 0 || r.LinkDailyCap < 0 || r.LinksPerHour < 0 {
		p = append(p, errors.New("RESET_PASSWORD_LINK_COOLDOWN, RESET_PASSWORD_LINK_DAILY_CAP and RESET_PASSWORD_LINKS_PER_HOUR must not be negative (0 turns each off)"))
	}
	if r.LinksClientShare < 0 || r.LinksClientShare > 100 {
		p = append(p, fmt.Errorf("RESET_PASSWORD_LINKS_CLIENT_SHARE is %d; it must be a percentage from 0 (off) to 100", r.LinksClientShare))
	}
	return p
}

// keyProblems checks SECRET_KEY and its fallbacks by the rules of the links'
// signature: Django's keys must work as they are in Django, pwreset's are 256 bits.
func (c Config) keyProblems() []error {
	if c.DjangoLinks() {
		return djangoKeyProblems(c.Reset, c.Demo())
	}
	if c.Django.LinkSignature != "pwreset" {
		return nil // DjangoSettings.problems names the bad signature
	}
	return c.Reset.secretKeyProblems(c.Demo())
}

// secretKeyProblems are pwreset's own rules for SECRET_KEY: 256 bits for HMAC-SHA256.
// Demo mode, without one, keys its links for its run only.
func (r ResetSettings) secretKeyProblems(demo bool) []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }
	switch {
	case r.SecretKey == "" && !demo:
		add("SECRET_KEY is required: set it to a random string of at least %d bytes (openssl rand -base64 48)", MinSecretKeyBytes)
	case r.SecretKey != "" && len(r.SecretKey) < MinSecretKeyBytes:
		add("SECRET_KEY is %d bytes long; it must be at least %d (openssl rand -base64 48)", len(r.SecretKey), MinSecretKeyBytes)
	}
	for i, k := range r.SecretKeyFallbacks {
		if len(k) < MinSecretKeyBytes {
			add("SECRET_KEY_FALLBACKS entry %d is shorter than %d bytes", i+1, MinSecretKeyBytes)
		}
	}
	return p
}

// resetConfig is the workflow's share of the reset settings.
func (r ResetSettings) resetConfig() reset.Config {
	return reset.Config{
		Enabled:              r.Enabled,
		FailWhenUserNotFound: r.FailWhenUserNotFound,
		Period:               r.Period,
		URL:                  r.URL,
		OneTimeUse:           r.OneTimeUse,
		LinkCooldown:         r.LinkCooldown,
		LinkDailyCap:         r.LinkDailyCap,
		LinksPerHour:         r.LinksPerHour,
		LinksPerClient:       r.linksPerClient(),
		InvalidateOlderLinks: r.InvalidateOlderLinks,
		ChangedNotification:  r.ChangedNotification,
		Secret:               []byte(r.SecretKey),
	}
}

// linksPerClient is one client's share of the hourly link cap: at least one link
// while both are on, none (off) when either is off.
func (r ResetSettings) linksPerClient() int {
	if r.LinksPerHour <= 0 || r.LinksClientShare <= 0 {
		return 0
	}
	return max(1, r.LinksPerHour*r.LinksClientShare/100)
}

// ProvideResetConfig maps the configuration to the workflow settings: the reset
// settings, the sender of the mail, and whether a change is an event.
func ProvideResetConfig(cfg Config, ln Listener) reset.Config {
	rc := cfg.Reset.resetConfig()
	rc.From = cfg.Mail.From
	rc.ChangeEvent = cfg.Events.wants(event.PasswordChanged)
	if len(rc.Secret) == 0 { // demo mode: stand-ins keyed for this run only
		rc.Secret = []byte(rand.Text() + rand.Text())
	}
	if cfg.Demo() && rc.URL == "" && ln.Listener != nil {
		rc.URL = demoURL(ln)
	}
	if cfg.Demo() && rc.From == "" {
		rc.From = demoFrom
	}
	return rc
}

// ProvideSigner keys the link signer. Demo mode without SECRET_KEY gets a random key,
// so its links die with the process, as everything else there does.
func ProvideSigner(cfg Config, log *slog.Logger) link.Scheme {
	secret := []byte(cfg.Reset.SecretKey)
	if len(secret) == 0 {
		secret = []byte(rand.Text() + rand.Text())
	}
	var fallbacks [][]byte
	for _, k := range cfg.Reset.SecretKeyFallbacks {
		fallbacks = append(fallbacks, []byte(k))
	}
	if cfg.DjangoLinks() {
		return djangoSigner(cfg, log, secret, fallbacks)
	}
	return link.NewSigner(secret, cfg.Reset.OneTimeUse, fallbacks...)
}

// UnsafeDefaults lists, one sentence each, the settings of cfg that keep
// django-rest-registration's defaults where those expose users: its contract, and so
// pwreset's defaults, but not what a production service should run with. Demo mode,
// and a workflow that is switched off, expose nobody.
func UnsafeDefaults(cfg Config) []string {
	if cfg.Demo() || !cfg.Reset.Enabled {
		return nil
	}
	var w []string
	if cfg.Reset.FailWhenUserNotFound {
		w = append(w, "RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=true: send-reset-password-link answers "+
			"\"User not found\" for an unknown login, so anyone can find out who has an account; "+
			"set RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false")
	}
	if !cfg.Reset.OneTimeUse {
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
