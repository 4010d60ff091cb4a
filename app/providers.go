package app

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/bcrypt"
	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/adapters/hibp"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Core holds the providers every command shares: the stores, the mail, the domain.
// Adapters are chosen at run time by configuration: adding a backend is one adapter
// package and one case in openStores (app/store.go); a mail provider, one case in
// chooseMailProvider.
var Core = wire.NewSet(
	StoreSet,
	ProvideResetConfig,
	ProvideSigner,
	ProvideTemplates,
	ProvidePolicy,
	ProvideMailProvider,
	ProvideTracing,
	ProvideHasher,
	ProvidePasswordHasher,
	ProvideDispatcher,
	ProvideBreachChecker,
	ProvideAudit,
	Metrics,
	wire.Bind(new(ports.Clock), new(system.Clock)),
	system.NewClock,
	outbox.NewQueue,
	wire.Bind(new(reset.Outbox), new(*outbox.Queue)),
	wire.Struct(new(reset.LinkSenderDeps), "*"),
	reset.NewLinkSender,
	wire.Struct(new(reset.ResetterDeps), "*"),
	reset.NewResetter,
)

// Set holds the Wire providers of the service: Core, the HTTP API and the App.
var Set = wire.NewSet(
	Core,
	ProvideListener,
	ProvideHTTPConfig,
	wire.Bind(new(apihttp.HashQueue), new(*hashpool.Pool)),
	ProvideReadiness,
	ProvideOperations,
	ProvideMetricsServer,
	ProvideAPI,
	wire.Bind(new(http.Handler), new(*apihttp.API)),
	New,
)

// ToolSet holds the Wire providers of the outbox command: Core without a server.
var ToolSet = wire.NewSet(Core, wire.Value(Listener{}), NewOutboxTool)

// ProvideListener opens the API socket.
func ProvideListener(cfg Config) (Listener, func(), error) {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return Listener{}, nil, fmt.Errorf("listen on HTTP_ADDR %q: %w", cfg.HTTPAddr, err)
	}
	return Listener{ln}, func() { ln.Close() }, nil
}

// ProvideResetConfig maps the configuration to the workflow settings.
func ProvideResetConfig(cfg Config, ln Listener) reset.Config {
	rc := reset.Config{
		Enabled:              cfg.Enabled,
		FailWhenUserNotFound: cfg.FailWhenUserNotFound,
		Period:               cfg.Period,
		URL:                  cfg.URL,
		OneTimeUse:           cfg.OneTimeUse,
		From:                 cfg.FromEmail,
		LinkCooldown:         cfg.LinkCooldown,
		LinkDailyCap:         cfg.LinkDailyCap,
		LinksPerHour:         cfg.LinksPerHour,
		LinksPerClient:       cfg.linksPerClient(),
		InvalidateOlderLinks: cfg.InvalidateOlderLinks,
		ChangedNotification:  cfg.ChangedNotification,
		ChangeEvent:          cfg.Events.wants(event.PasswordChanged),
		Secret:               []byte(cfg.SecretKey),
	}
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

// ProvideHTTPConfig maps the configuration to the HTTP adapter settings (Load has
// checked the rates and proxies already); resets wait for hashing in queue.
func ProvideHTTPConfig(cfg Config, ops apihttp.Operations, queue apihttp.HashQueue) (apihttp.Config, error) {
	send, _ := parseRate("RATE_LIMIT_SEND_LINK", cfg.SendLinkRate)
	resetRate, _ := parseRate("RATE_LIMIT_RESET_PASSWORD", cfg.ResetRate)
	proxies, _ := parseProxies(cfg.TrustedProxies)
	page, err := cfg.pageConfig()
	return apihttp.Config{
		Prefix:             cfg.APIPrefix,
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		UseEmail:           cfg.UseEmail,
		PasswordConfirm:    cfg.PasswordConfirm,
		Page:               page,
		TrustedProxies:     proxies,
		ClientIPv6Prefix:   cfg.ClientIPv6Prefix,
		HashQueue:          queue,
		SendLinkRate:       send,
		ResetRate:          resetRate,
		Operations:         ops,
	}, err
}

// ProvideSigner keys the link signer. Demo mode without SECRET_KEY gets a random key,
// so its links die with the process, as everything else there does.
func ProvideSigner(cfg Config, log *slog.Logger) link.Scheme {
	secret := []byte(cfg.SecretKey)
	if len(secret) == 0 {
		secret = []byte(rand.Text() + rand.Text())
	}
	var fallbacks [][]byte
	for _, k := range cfg.SecretKeyFallbacks {
		fallbacks = append(fallbacks, []byte(k))
	}
	if cfg.DjangoLinks() {
		return djangoSigner(cfg, log, secret, fallbacks)
	}
	return link.NewSigner(secret, cfg.OneTimeUse, fallbacks...)
}

// ProvidePolicy returns the password policy.
func ProvidePolicy(cfg Config) *policy.Policy { return policy.New(cfg.PasswordMinLength) }

// ProvideHasher returns the hasher PASSWORD_HASHER names, on a bounded pool so that a
// burst of resets cannot take all memory (argon2id takes ARGON2_MEMORY_KIB each).
// Resets queue for the pool at most HASH_QUEUE_TIMEOUT; the metrics show the queue.
func ProvideHasher(cfg Config, m *prometheus.Metrics) *hashpool.Pool {
	h := passwordHash(cfg)
	size := cfg.HashConcurrency
	if size == 0 {
		size = hashpool.DefaultSize()
	}
	// Timed inside the pool: the hash, not the wait.
	pool := hashpool.New(m.TimeHasher(h), size, hashpool.MaxWait(cfg.HashQueueTimeout))
	m.WatchHashQueue(pool.Waiting)
	return pool
}

// passwordHash is the hash function PASSWORD_HASHER names, without the pool.
func passwordHash(cfg Config) ports.PasswordHasher {
	if d := djangoHasher(cfg); d != nil {
		return d
	}
	if cfg.PasswordHasher == "bcrypt" {
		return bcrypt.NewHasher(cfg.BcryptCost)
	}
	return argon2.NewHasher(cfg.argon2Params())
}

// ProvideBreachChecker returns the Have I Been Pwned checker, or nil when
// BREACHED_PASSWORD_CHECK is off.
func ProvideBreachChecker(cfg Config, t Tracing) ports.BreachChecker {
	if !cfg.BreachCheck {
		return nil
	}
	return t.breach(hibp.NewChecker(hibp.Config{BaseURL: cfg.HIBPAPIURL, Timeout: cfg.HIBPTimeout}))
}

// ProvideAudit returns the security event log, which also feeds the metrics.
func ProvideAudit(log *slog.Logger, obs ports.EventObserver) *audit.Log {
	return audit.New(log).WithObserver(obs)
}

// ProvideMailProvider chooses the mail provider: an SMTP relay when SMTP_URL is set,
// SendGrid when SENDGRID_API_KEY is, printing to standard output otherwise (which
// configuration allows in demo mode only); with VERIFICATION_REPLY_TO_EMAIL, every
// e-mail carries that Reply-To. Events go to EVENTS_URL. With tracing on, every
// delivery attempt is a span.
func ProvideMailProvider(cfg Config, out Output, t Tracing) (outbox.Provider, error) {
	mail, err := chooseMailProvider(cfg, out)
	if err != nil {
		return nil, err
	}
	events, err := eventsProvider(cfg)
	if err != nil {
		return nil, err
	}
	return outbox.Router{Mail: withReplyTo(cfg, t.mail(mail)), Events: t.events(events)}, nil
}

// chooseMailProvider chooses the provider of e-mail.
func chooseMailProvider(cfg Config, out Output) (outbox.Provider, error) {
	if cfg.SMTP.URL != "" {
		return smtpMailer(cfg)
	}
	if cfg.SendGridAPIKey != "" {
		return sendgrid.NewMailer(sendgrid.Config{APIKey: cfg.SendGridAPIKey, BaseURL: cfg.SendGridAPIURL, Timeout: cfg.SendGridTimeout}), nil
	}
	return console.NewMailer(out), nil
}

// ProvideDispatcher returns the outbox dispatcher of this process.
func ProvideDispatcher(cfg Config, box ports.Outbox, p outbox.Provider, clock ports.Clock, log *slog.Logger,
	events *audit.Log) *outbox.Dispatcher {
	return outbox.NewDispatcher(cfg.dispatcherConfig(), box, p, clock, log, events)
}
