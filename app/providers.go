package app

import (
	"slices"

	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/google/wire"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/bcrypt"
	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/adapters/hashpool"
	"github.com/pwreset/pwreset/adapters/hibp"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/adapters/sendgrid"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Core holds the providers every command shares: the stores, the mail, the domain.
// Adapters are chosen at run time by configuration: adding a user store or a mail
// provider is one adapter package and one case in ProvideUserStore or ProvideMailProvider.
var Core = wire.NewSet(
	ProvideMongoDB,
	ProvidePostgres,
	ProvideResetConfig,
	ProvideMemory,
	ProvideSigner,
	ProvideTemplates,
	ProvidePolicy,
	ProvideUserStore,
	ProvideOutbox,
	ProvideCampaignStore,
	ProvideMailProvider,
	ProvideTracing,
	ProvideHasher,
	ProvidePasswordHasher,
	ProvideDispatcher,
	ProvideRateLimiter,
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

// MongoDB is the database of users and the outbox; nil in demo mode.
type MongoDB struct{ *mongodriver.Database }

// ProvideMongoDB connects to MONGODB_URI, if set.
func ProvideMongoDB(ctx context.Context, cfg Config, log *slog.Logger, t Tracing) (MongoDB, func(), error) {
	if cfg.MongoDBURI == "" {
		return MongoDB{}, func() {}, nil
	}
	client, err := mongo.Connect(ctx, cfg.MongoDBURI, cfg.MongoDBTimeout, t.mongoOptions()...)
	if err != nil {
		return MongoDB{}, nil, err
	}
	disconnect := func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.MongoDBTimeout)
		defer cancel()
		if err := client.Disconnect(ctx); err != nil {
			log.Warn("disconnect from MongoDB", "error", err)
		}
	}
	return MongoDB{client.Database(cfg.MongoDBDatabase)}, disconnect, nil
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
	var h ports.PasswordHasher = argon2.NewHasher(cfg.argon2Params())
	if cfg.PasswordHasher == "bcrypt" {
		h = bcrypt.NewHasher(cfg.BcryptCost)
	}
	if d := djangoHasher(cfg); d != nil {
		h = d
	}
	size := cfg.HashConcurrency
	if size == 0 {
		size = hashpool.DefaultSize()
	}
	// Timed inside the pool: the hash, not the wait.
	pool := hashpool.New(m.TimeHasher(h), size, hashpool.MaxWait(cfg.HashQueueTimeout))
	m.WatchHashQueue(pool.Waiting)
	return pool
}

// ProvideRateLimiter chooses where rate-limit counts live: PostgreSQL or MongoDB,
// shared by every instance, or memory in demo mode.
func ProvideRateLimiter(ctx context.Context, cfg Config, db MongoDB, pg Postgres, mem Memory, t Tracing) (ports.RateLimiter, error) {
	l, err := chooseRateLimiter(ctx, cfg, db, pg, mem)
	return t.limiter(l), err
}

func chooseRateLimiter(ctx context.Context, cfg Config, db MongoDB, pg Postgres, mem Memory) (ports.RateLimiter, error) {
	if pg.Pool != nil {
		return postgres.NewRateLimiter(pg.Pool, cfg.Database.Timeout), nil
	}
	if db.Database == nil {
		return mem.Limiter, nil
	}
	l := mongo.NewRateLimiter(db.Database, mongo.RateLimitConfig{Collection: cfg.RateLimitsCollection, Timeout: cfg.MongoDBTimeout})
	if err := l.EnsureIndexes(ctx, cfg.longestWindow()); err != nil {
		return nil, fmt.Errorf("prepare the rate-limit collection %q: %w", cfg.RateLimitsCollection, err)
	}
	return l, nil
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

// ProvideUserStore chooses the user store: PostgreSQL when DATABASE_URL is set,
// MongoDB when MONGODB_URI is, the in-memory demo store otherwise; with
// RESET_PASSWORD_ACTIVE_USERS_ONLY, its look-ups by login and e-mail find only
// active users with a usable password.
func ProvideUserStore(ctx context.Context, cfg Config, db MongoDB, pg Postgres, hasher ports.PasswordHasher, t Tracing) (ports.UserStore, error) {
	users, err := chooseUserStore(ctx, cfg, db, pg, hasher)
	if err != nil {
		return nil, err
	}
	return withPolicy(cfg, t.users(users)), nil
}

func chooseUserStore(ctx context.Context, cfg Config, db MongoDB, pg Postgres, hasher ports.PasswordHasher) (ports.UserStore, error) {
	if pg.Pool != nil {
		return postgresUserStore(ctx, cfg, pg)
	}
	if db.Database == nil {
		return demoUserStore(cfg, hasher)
	}
	m := cfg.Users
	if m.ChangedAtField == "off" {
		m.ChangedAtField = "" // an empty variable would mean the default
	}
	return mongo.NewUserStore(db.Database, mongo.UserMapping{
		Collection: m.Collection, LoginFields: m.LoginFields, EmailField: m.EmailField,
		IDField: m.IDField, PasswordField: m.PasswordField, PasswordChangedAtField: m.ChangedAtField,
		Timeout: cfg.MongoDBTimeout, LanguageField: cfg.Languages.userField(),
		FirstNameField: optional(m.FirstNameField), LastNameField: optional(m.LastNameField), ActiveField: optional(m.ActiveField),
	}), nil
}

// Memory is demo mode's store: an outbox and a rate limiter that share their
// events, as the tables or collections of one database do. Without a database it
// is empty and unused.
type Memory struct{ memory.Store }

// ProvideMemory returns demo mode's store, whose own clock judges due times and
// leases, as a database's would; nothing when a database is configured.
func ProvideMemory(cfg Config, clock ports.Clock) Memory {
	if !cfg.Demo() {
		return Memory{}
	}
	return Memory{memory.NewStore(clock, memory.OutboxBounds{Retention: cfg.Outbox.Retention})}
}

// ProvideOutbox chooses where e-mails wait for delivery: a PostgreSQL table or a
// MongoDB collection shared by every instance, or memory in demo mode.
func ProvideOutbox(ctx context.Context, cfg Config, db MongoDB, pg Postgres, mem Memory, t Tracing) (ports.Outbox, error) {
	box, err := chooseOutbox(ctx, cfg, db, pg, mem)
	return t.outbox(box), err
}

func chooseOutbox(ctx context.Context, cfg Config, db MongoDB, pg Postgres, mem Memory) (ports.Outbox, error) {
	if pg.Pool != nil {
		return postgres.NewOutbox(pg.Pool, cfg.Database.Timeout), nil
	}
	if db.Database == nil {
		return mem.Outbox, nil
	}
	box := mongo.NewOutbox(db.Database, mongo.OutboxConfig{Collection: cfg.Outbox.Collection, Timeout: cfg.MongoDBTimeout})
	if err := box.EnsureIndexes(ctx, cfg.Outbox.Retention, append(slices.Clone(reset.LimitReasons), campaign.ReasonSentAlready)...); err != nil {
		return nil, fmt.Errorf("prepare the outbox collection %q: %w", cfg.Outbox.Collection, err)
	}
	return box, nil
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
