package app

import (
	"slices"

	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/google/wire"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/hashpool"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/outbox"
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
	wire.Bind(new(reset.Queue), new(*outbox.Queue)),
	wire.Bind(new(ports.Releaser), new(*outbox.Queue)),
	reset.NewLinkSender,
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
