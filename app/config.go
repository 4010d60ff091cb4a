// Package app configures pwreset, assembles it with Wire and runs it.
package app

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
)

// Config is the whole configuration, read from environment variables named after
// django-rest-registration's settings. docs/configuration.md describes each one.
type Config struct {
	HTTPAddr           string        `env:"HTTP_ADDR" envDefault:":8080"`
	APIPrefix          string        `env:"API_PREFIX" envDefault:"/api/v1/accounts/"`
	CORSAllowedOrigins []string      `env:"CORS_ALLOWED_ORIGINS"`
	TrustedProxies     []string      `env:"TRUSTED_PROXIES"`
	ClientIPv6Prefix   int           `env:"CLIENT_IPV6_PREFIX" envDefault:"64"`
	SendLinkRate       string        `env:"RATE_LIMIT_SEND_LINK" envDefault:"10/10m"`
	ResetRate          string        `env:"RATE_LIMIT_RESET_PASSWORD" envDefault:"20/10m"`
	ShutdownGrace      time.Duration `env:"SHUTDOWN_GRACE" envDefault:"15s"`
	LogFormat          string        `env:"LOG_FORMAT" envDefault:"json"`

	SecretKey          string   `env:"SECRET_KEY"`
	SecretKeyFallbacks []string `env:"SECRET_KEY_FALLBACKS"`

	Store StoreSettings

	PasswordHasher    string        `env:"PASSWORD_HASHER"` // default: USER_SCHEMA's, or argon2id
	PasswordMinLength int           `env:"PASSWORD_MIN_LENGTH" envDefault:"8"`
	Argon2Memory      uint32        `env:"ARGON2_MEMORY_KIB" envDefault:"19456"`
	Argon2Iterations  uint32        `env:"ARGON2_ITERATIONS" envDefault:"2"`
	Argon2Parallelism uint8         `env:"ARGON2_PARALLELISM" envDefault:"1"`
	BcryptCost        int           `env:"BCRYPT_COST" envDefault:"12"`
	HashConcurrency   int           `env:"HASH_CONCURRENCY"` // default: the number of CPUs
	HashQueueTimeout  time.Duration `env:"HASH_QUEUE_TIMEOUT" envDefault:"5s"`

	BreachCheck bool          `env:"BREACHED_PASSWORD_CHECK" envDefault:"false"`
	HIBPAPIURL  string        `env:"HIBP_API_URL" envDefault:"https://api.pwnedpasswords.com"`
	HIBPTimeout time.Duration `env:"HIBP_TIMEOUT" envDefault:"2s"`

	Enabled              bool          `env:"RESET_PASSWORD_VERIFICATION_ENABLED" envDefault:"true"`
	FailWhenUserNotFound bool          `env:"RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND" envDefault:"true"`
	ActiveUsersOnly      bool          `env:"RESET_PASSWORD_ACTIVE_USERS_ONLY" envDefault:"false"`
	Period               time.Duration `env:"RESET_PASSWORD_VERIFICATION_PERIOD" envDefault:"24h"`
	URL                  string        `env:"RESET_PASSWORD_VERIFICATION_URL"`
	OneTimeUse           bool          `env:"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE" envDefault:"false"`
	SubjectTemplate      string        `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_SUBJECT"`
	BodyTemplate         string        `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_BODY"`
	HTMLBodyTemplate     string        `env:"RESET_PASSWORD_VERIFICATION_EMAIL_TEMPLATES_HTML_BODY"`
	PasswordConfirm      bool          `env:"RESET_PASSWORD_SERIALIZER_PASSWORD_CONFIRM" envDefault:"false"`
	UseEmail             bool          `env:"SEND_RESET_PASSWORD_LINK_SERIALIZER_USE_EMAIL" envDefault:"false"`
	FromEmail            string        `env:"VERIFICATION_FROM_EMAIL"`
	ReplyToEmail         string        `env:"VERIFICATION_REPLY_TO_EMAIL"`

	LinkCooldown         time.Duration `env:"RESET_PASSWORD_LINK_COOLDOWN" envDefault:"60s"`
	LinkDailyCap         int           `env:"RESET_PASSWORD_LINK_DAILY_CAP" envDefault:"5"`
	LinksPerHour         int           `env:"RESET_PASSWORD_LINKS_PER_HOUR" envDefault:"1000"`
	LinksClientShare     int           `env:"RESET_PASSWORD_LINKS_CLIENT_SHARE" envDefault:"5"`
	InvalidateOlderLinks bool          `env:"RESET_PASSWORD_INVALIDATE_OLDER_LINKS" envDefault:"false"`
	ChangedNotification  bool          `env:"RESET_PASSWORD_CHANGED_NOTIFICATION" envDefault:"true"`
	ChangedSubject       string        `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_SUBJECT"`
	ChangedBody          string        `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_BODY"`
	ChangedHTMLBody      string        `env:"RESET_PASSWORD_CHANGED_EMAIL_TEMPLATES_HTML_BODY"`

	Outbox    OutboxSettings
	Emails    EmailSettings
	Django    DjangoSettings
	Page      PageSettings
	Languages LanguageSettings
	Seed      DemoSettings
	Ops       OpsSettings
	Tracing   TracingSettings

	SendGridAPIKey  string        `env:"SENDGRID_API_KEY"`
	SendGridAPIURL  string        `env:"SENDGRID_API_URL" envDefault:"https://api.sendgrid.com"`
	SendGridTimeout time.Duration `env:"SENDGRID_TIMEOUT" envDefault:"10s"`
	SMTP            SMTPSettings
	Events          EventsSettings
}

// OutboxSettings say how e-mails wait for and get delivery.
type OutboxSettings struct {
	Workers      int           `env:"MAIL_WORKERS" envDefault:"16"`
	PollInterval time.Duration `env:"OUTBOX_POLL_INTERVAL" envDefault:"5s"`
	Lease        time.Duration `env:"MAIL_LEASE" envDefault:"1m"`
	MaxAge       time.Duration `env:"MAIL_MAX_AGE" envDefault:"1h"`
	Retention    time.Duration `env:"OUTBOX_RETENTION" envDefault:"168h"`
	RetryMin     time.Duration `env:"MAIL_RETRY_MIN" envDefault:"2s"`
	RetryMax     time.Duration `env:"MAIL_RETRY_MAX" envDefault:"5m"`
}

// MinSecretKeyBytes is the shortest SECRET_KEY accepted: 256 bits for HMAC-SHA256.
const MinSecretKeyBytes = 32

// Demo reports whether pwreset runs in demo mode: no database, nothing persists.
func (c Config) Demo() bool { return c.Store.Backend() == BackendMemory }

// Load reads the configuration from environ (KEY=value pairs, as os.Environ gives)
// and checks it. The error lists every problem, one per line.
func Load(environ []string) (Config, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	cfg, err := env.ParseAsWithOptions[Config](env.Options{Environment: vars})
	if err != nil {
		var agg env.AggregateError
		if !errors.As(err, &agg) {
			return cfg, err
		}
		problems := make([]error, len(agg.Errors))
		for i, e := range agg.Errors {
			problems[i] = nameVariable(e)
		}
		return cfg, errors.Join(problems...)
	}
	cfg.applySchema()
	cfg.APIPrefix = "/" + strings.Trim(cfg.APIPrefix, "/") + "/"
	if cfg.APIPrefix == "//" {
		cfg.APIPrefix = "/"
	}
	return cfg, errors.Join(cfg.problems()...)
}

// nameVariable rewords a parse error of the env library, which names the Go field,
// so that it names the environment variable the operator has to fix.
func nameVariable(err error) error {
	var pe env.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	if name := envName(reflect.TypeFor[Config](), pe.Name); name != "" {
		return fmt.Errorf("%s: %v", name, pe.Err)
	}
	return err
}

// envName finds the variable of the field called field in t or in the structs it
// nests (settings are grouped into such structs), or "" if there is none.
func envName(t reflect.Type, field string) string {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == field && f.Tag.Get("env") != "" {
			return f.Tag.Get("env")
		}
		if f.Type.Kind() == reflect.Struct && f.Tag.Get("env") == "" {
			if name := envName(f.Type, field); name != "" {
				return name
			}
		}
	}
	return ""
}

// problems lists what is wrong with the configuration, each with what to do.
func (c Config) problems() []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }
	p = append(p, c.djangoProblems()...) // SECRET_KEY's rules depend on LINK_SIGNATURE
	if !c.Demo() && c.SendGridAPIKey == "" && c.SMTP.URL == "" {
		// Outside demo mode, printing e-mails would put live reset links in the logs.
		add("SENDGRID_API_KEY is required outside demo mode, unless SMTP_URL names an SMTP relay: a SendGrid API key with the Mail Send permission")
	}
	if c.Enabled && !c.Demo() {
		if c.URL == "" {
			add("RESET_PASSWORD_VERIFICATION_URL is required: the front-end page the e-mailed link opens, such as https://frontend-host/reset-password/")
		}
		if c.FromEmail == "" {
			add("VERIFICATION_FROM_EMAIL is required: the sender address of the e-mails, such as noreply@example.com")
		}
	}
	if c.URL != "" && link.CheckBaseURL(c.URL) != nil {
		add("RESET_PASSWORD_VERIFICATION_URL %q: %v", c.URL, link.ErrBadBaseURL)
	}
	if c.FromEmail != "" {
		if _, err := mail.ParseAddress(c.FromEmail); err != nil {
			add("VERIFICATION_FROM_EMAIL %q is not an e-mail address: %v", c.FromEmail, err)
		}
	}
	if c.ReplyToEmail != "" {
		if _, err := mail.ParseAddress(c.ReplyToEmail); err != nil {
			add("VERIFICATION_REPLY_TO_EMAIL %q is not an e-mail address: %v", c.ReplyToEmail, err)
		}
	}
	if c.Period <= 0 {
		add("RESET_PASSWORD_VERIFICATION_PERIOD must be positive, such as 24h or 30m")
	}
	if c.PasswordMinLength < 1 {
		add("PASSWORD_MIN_LENGTH must be at least 1")
	}
	if err := hasherProblem(c.PasswordHasher); err != nil {
		p = append(p, err)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		add("LOG_FORMAT %q is not supported: use json or text", c.LogFormat)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"SENDGRID_TIMEOUT", c.SendGridTimeout}, {"SHUTDOWN_GRACE", c.ShutdownGrace}} {
		if d.v <= 0 {
			add("%s must be a positive duration, such as 5s", d.name)
		}
	}
	p = append(p, c.Store.problems()...)
	p = append(p, c.smtpProblems()...)
	p = append(p, c.eventsProblems()...)
	p = append(p, append(c.Languages.problems(), c.pageProblems()...)...)
	p = append(p, c.Ops.problems()...)
	p = append(p, c.Tracing.problems()...)
	p = append(p, c.emailProblems()...)
	p = append(p, c.limitProblems()...)
	p = append(p, c.Seed.problems(c.Demo())...)
	if err := c.dispatcherConfig().Validate(); err != nil {
		p = append(p, Problems(err)...)
	}
	if c.SMTP.URL == "" && c.Outbox.Lease < c.SendGridTimeout*4/3 {
		// A send is cut off at three quarters of the lease, before SendGrid's own timeout.
		add("MAIL_LEASE (%s) must be at least 4/3 of SENDGRID_TIMEOUT (%s)", c.Outbox.Lease, c.SendGridTimeout)
	}
	p = append(p, originProblems(c.CORSAllowedOrigins)...)
	if u, err := url.Parse(c.SendGridAPIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add("SENDGRID_API_URL %q must be an absolute URL such as https://api.sendgrid.com", c.SendGridAPIURL)
	}
	return p
}

// dispatcherConfig is the outbox dispatcher's share of the configuration. A
// password-changed notice and events are never given up for their age
// (MAIL_MAX_AGE): they tell of what happened however late they come.
func (c Config) dispatcherConfig() outbox.Config {
	o := c.Outbox
	return outbox.Config{Workers: o.Workers, PollInterval: o.PollInterval, Lease: o.Lease, MaxAge: o.MaxAge,
		KeepTrying: append([]string{reset.KindPasswordChanged}, event.Kinds(event.Types)...),
		Events:     c.Events.outcomes(),
		Retention:  o.Retention, RetryMin: o.RetryMin, RetryMax: o.RetryMax, Grace: c.ShutdownGrace}
}

func originProblems(origins []string) []error {
	var p []error
	for _, o := range origins {
		u, err := url.Parse(o)
		if o == "*" {
			continue
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			p = append(p, fmt.Errorf("CORS_ALLOWED_ORIGINS entry %q is not an origin such as https://frontend-host", o))
		}
	}
	return p
}

// Problems returns the problems an error of Load (or any errors.Join error) holds,
// one per line to print; none for nil.
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
