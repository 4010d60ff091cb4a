package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// StoreSettings say where pwreset keeps its data: users, the outbox, rate limits
// and campaigns all live in one backend. DATABASE_URL chooses PostgreSQL,
// MONGODB_URI MongoDB, neither memory (demo mode).
type StoreSettings struct {
	MongoDBURI      string        `env:"MONGODB_URI"`
	MongoDBDatabase string        `env:"MONGODB_DATABASE" envDefault:"pwreset"`
	MongoDBTimeout  time.Duration `env:"MONGODB_TIMEOUT" envDefault:"5s"`
	Postgres        PostgresSettings
	Users           UserMapping
	// Schema names a set of defaults for a known user store (see userSchemas).
	Schema               string `env:"USER_SCHEMA"`
	RateLimitsCollection string `env:"RATE_LIMITS_COLLECTION" envDefault:"rate_limits"`
	OutboxCollection     string `env:"OUTBOX_COLLECTION" envDefault:"outbox"`
}

// PostgresSettings say where pwreset finds PostgreSQL: users in the team's table,
// the outbox and rate limits in pwreset's own tables. The users table's columns
// come from the same variables as MongoDB's fields (USER_LOGIN_FIELDS,
// USER_EMAIL_FIELD, ...).
type PostgresSettings struct {
	URL     string        `env:"DATABASE_URL"`
	Timeout time.Duration `env:"DATABASE_TIMEOUT" envDefault:"5s"`
	// Table is "users" unless USER_SCHEMA names another (resolved after parsing).
	Table string `env:"USERS_TABLE"`
	// IDColumn reads USER_VERIFICATION_ID_FIELD a second time, without MongoDB's
	// default "_id": on PostgreSQL an unset variable means the column "id".
	IDColumn string `env:"USER_VERIFICATION_ID_FIELD"`
}

// UserMapping says where pwreset finds what it needs in a user document or row.
// Its empty fields take USER_SCHEMA's defaults, or else pwreset's (see
// userSchemas), once the environment is parsed.
type UserMapping struct {
	Collection    string   `env:"USERS_COLLECTION"`
	LoginFields   []string `env:"USER_LOGIN_FIELDS"`
	EmailField    string   `env:"USER_EMAIL_FIELD"`
	IDField       string   `env:"USER_VERIFICATION_ID_FIELD"`
	PasswordField string   `env:"USER_PASSWORD_FIELD"`
	// ChangedAtField gets the time of each reset, so that other services can end the
	// sessions and tokens issued before it; "off": not written.
	ChangedAtField string `env:"USER_PASSWORD_CHANGED_AT_FIELD"`
	// FirstNameField and LastNameField hold the names the password policy compares,
	// as Django's does; ActiveField whether the account is active. Empty or "off": none.
	FirstNameField string `env:"USER_FIRST_NAME_FIELD"`
	LastNameField  string `env:"USER_LAST_NAME_FIELD"`
	ActiveField    string `env:"USER_ACTIVE_FIELD"`
}

// Backend names where the stores live.
type Backend string

// The backends, one adapter package each.
const (
	BackendMemory   Backend = "memory"
	BackendMongoDB  Backend = "mongo"
	BackendPostgres Backend = "postgres"
)

// Backend is the backend the settings choose: PostgreSQL when DATABASE_URL is set,
// MongoDB when MONGODB_URI is, memory otherwise (both set is a problem).
func (s StoreSettings) Backend() Backend {
	switch {
	case s.Postgres.URL != "":
		return BackendPostgres
	case s.MongoDBURI != "":
		return BackendMongoDB
	}
	return BackendMemory
}

// userSchema holds the defaults of one kind of user store; a variable the operator
// sets (not empty) wins over each.
type userSchema struct {
	users UserMapping
	// table and idColumn are PostgreSQL's; "" leaves idColumn to the adapter ("id").
	table, idColumn string
	// passwordHasher and linkSignature are the formats that store's back end uses.
	passwordHasher, linkSignature string
}

// pwresetDefaults are the defaults without USER_SCHEMA.
var pwresetDefaults = userSchema{
	users: UserMapping{Collection: "users", LoginFields: []string{"username"}, EmailField: "email",
		IDField: "_id", PasswordField: "password", ChangedAtField: "password_changed_at"},
	table: "users", passwordHasher: "argon2id", linkSignature: "pwreset",
}

// userSchemas are the values USER_SCHEMA takes. Django's auth_user table has an
// integer column id on PostgreSQL, where MongoDB has _id; Django ends other
// sessions by its session hash, so no change time is written.
var userSchemas = map[string]userSchema{
	"django": {
		users: UserMapping{Collection: "auth_user", LoginFields: []string{"username"}, EmailField: "email",
			IDField: "_id", PasswordField: "password", ChangedAtField: "off",
			FirstNameField: "first_name", LastNameField: "last_name", ActiveField: "is_active"},
		table: "auth_user", idColumn: "id", passwordHasher: HasherDjangoPBKDF2, linkSignature: "django",
	},
}

// schema is the defaults USER_SCHEMA names, pwreset's own when it names none.
func (s StoreSettings) schema() userSchema {
	if d, ok := userSchemas[s.Schema]; ok {
		return d
	}
	return pwresetDefaults
}

// withDefaults fills each empty setting from the schema's defaults. Empty counts
// as unset, as it does for every default; "off" is a value, which stays.
func (s StoreSettings) withDefaults() StoreSettings {
	d := s.schema()
	if s.Backend() == BackendPostgres {
		// USER_VERIFICATION_ID_FIELD names a column there, read by both fields.
		d.users.IDField = cmp.Or(d.idColumn, d.users.IDField)
		s.Postgres.IDColumn = cmp.Or(s.Postgres.IDColumn, d.idColumn)
	} else {
		d.table = pwresetDefaults.table // the schema's table is PostgreSQL's
	}
	s.Postgres.Table = cmp.Or(s.Postgres.Table, d.table)
	u, du := &s.Users, d.users
	if len(u.LoginFields) == 0 {
		u.LoginFields = slices.Clone(du.LoginFields)
	}
	u.Collection = cmp.Or(u.Collection, du.Collection)
	u.EmailField = cmp.Or(u.EmailField, du.EmailField)
	u.IDField = cmp.Or(u.IDField, du.IDField)
	u.PasswordField = cmp.Or(u.PasswordField, du.PasswordField)
	u.ChangedAtField = cmp.Or(u.ChangedAtField, du.ChangedAtField)
	u.FirstNameField = cmp.Or(u.FirstNameField, du.FirstNameField)
	u.LastNameField = cmp.Or(u.LastNameField, du.LastNameField)
	u.ActiveField = cmp.Or(u.ActiveField, du.ActiveField)
	return s
}

// applySchema resolves the defaults USER_SCHEMA sets once the environment is
// parsed, so that the environment is read as given: the store's, and the password
// hasher and link signature of that store's back end, each unless set.
func (c *Config) applySchema() {
	c.Store = c.Store.withDefaults()
	d := c.Store.schema()
	c.Hasher.Name = cmp.Or(c.Hasher.Name, d.passwordHasher)
	c.Django.LinkSignature = cmp.Or(c.Django.LinkSignature, d.linkSignature)
}

// problems checks the store settings, each problem naming its variable.
func (s StoreSettings) problems() []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }
	if _, ok := userSchemas[s.Schema]; s.Schema != "" && !ok {
		add("USER_SCHEMA %q is not supported: use django, or leave it unset", s.Schema)
	}
	if s.MongoDBTimeout <= 0 {
		add("MONGODB_TIMEOUT must be a positive duration, such as 5s")
	}
	if strings.TrimSpace(s.OutboxCollection) == "" {
		add("OUTBOX_COLLECTION must not be empty")
	}
	p = append(p, s.Users.problems()...)
	return append(p, s.postgresProblems()...)
}

func (m UserMapping) problems() []error {
	var p []error
	if len(m.LoginFields) == 0 {
		p = append(p, errors.New("USER_LOGIN_FIELDS must name at least one field, such as username"))
	}
	for _, f := range m.LoginFields {
		if strings.TrimSpace(f) == "" {
			p = append(p, errors.New("USER_LOGIN_FIELDS has an empty entry: write field names separated by commas, without spaces"))
		}
	}
	for _, f := range [][2]string{{"USERS_COLLECTION", m.Collection}, {"USER_EMAIL_FIELD", m.EmailField},
		{"USER_VERIFICATION_ID_FIELD", m.IDField}, {"USER_PASSWORD_FIELD", m.PasswordField}} {
		if strings.TrimSpace(f[1]) == "" {
			p = append(p, fmt.Errorf("%s must not be empty", f[0]))
		}
	}
	return p
}

// postgresProblems checks the PostgreSQL settings and that one database is chosen.
func (s StoreSettings) postgresProblems() []error {
	pg := s.Postgres
	if pg.URL == "" {
		return nil
	}
	var p []error
	if s.MongoDBURI != "" {
		p = append(p, errors.New("DATABASE_URL and MONGODB_URI are both set: pwreset uses one database; unset one of them"))
	}
	if _, err := postgres.ParseURL(pg.URL); err != nil {
		p = append(p, fmt.Errorf("DATABASE_URL is %w", err))
	}
	if pg.Timeout <= 0 {
		p = append(p, errors.New("DATABASE_TIMEOUT must be a positive duration, such as 5s"))
	}
	if strings.TrimSpace(pg.Table) == "" {
		p = append(p, errors.New("USERS_TABLE must not be empty"))
	}
	return p
}

// optional is the field an optional mapping variable names, "" when it is empty
// or "off" (which a USER_SCHEMA default cannot override, as it can an empty one).
func optional(field string) string {
	if field == "off" {
		return ""
	}
	return strings.TrimSpace(field)
}

// changedAt is the field USER_PASSWORD_CHANGED_AT_FIELD names, "" for "off".
func (m UserMapping) changedAt() string {
	if m.ChangedAtField == "off" {
		return ""
	}
	return m.ChangedAtField
}

// StoreSet provides the stores of the one backend the configuration chooses,
// each field of ports.Stores on its own.
var StoreSet = wire.NewSet(
	ProvideStores,
	wire.FieldsOf(new(ports.Stores), "Users", "Outbox", "Limiter", "Campaigns"),
)

// ProvideStores opens the backend the configuration chooses and wraps its stores
// in what every backend gets: tracing when it is on and, with
// RESET_PASSWORD_ACTIVE_USERS_ONLY, a user store whose look-ups by login and
// e-mail find only active users with a usable password.
//
// The choice is one switch over StoreSettings.Backend, here and nowhere else, not
// one Wire injector per backend: the backend is known only at run time, one
// switch keeps Wire to one graph (and wire_gen.go to one function per command),
// and a new backend is one adapter package plus one case below.
func ProvideStores(ctx context.Context, cfg Config, log *slog.Logger, t Tracing, clock ports.Clock) (ports.Stores, func(), error) {
	s, closeStores, err := openStores(ctx, cfg, log, t, clock)
	if err != nil {
		return ports.Stores{}, nil, err
	}
	s.Users = withPolicy(cfg, t.users(s.Users))
	s.Outbox, s.Limiter = t.outbox(s.Outbox), t.limiter(s.Limiter)
	return s, closeStores, nil
}

// openStores is the one place that chooses the backend.
func openStores(ctx context.Context, cfg Config, log *slog.Logger, t Tracing, clock ports.Clock) (ports.Stores, func(), error) {
	st := cfg.Store
	switch st.Backend() {
	case BackendPostgres:
		s, closePool, err := postgres.Open(ctx, postgres.Config{URL: st.Postgres.URL, Timeout: st.Postgres.Timeout,
			Users: postgresMapping(cfg), Options: t.pgOptions(), Log: log})
		return s, closePool, nameSchemaVariables(err)
	case BackendMongoDB:
		return mongo.Open(ctx, mongo.Config{URI: st.MongoDBURI, Database: st.MongoDBDatabase, Timeout: st.MongoDBTimeout,
			Users: mongoMapping(cfg), RateLimitsCollection: st.RateLimitsCollection, RateLimitsKeep: cfg.longestWindow(),
			OutboxCollection: st.OutboxCollection, OutboxRetention: cfg.Outbox.Retention,
			LimitReasons:  append(slices.Clone(reset.LimitReasons), campaign.ReasonSentAlready),
			ClientOptions: t.mongoOptions(), Log: log})
	}
	users, err := demoUsers(cfg, cfg.Hasher.hasher())
	if err != nil {
		return ports.Stores{}, nil, err
	}
	return memory.NewStores(memory.Config{Clock: clock, Outbox: memory.OutboxBounds{Retention: cfg.Outbox.Retention},
		LoginFields: st.Users.LoginFields, Users: users}), func() {}, nil
}

// mongoMapping is the users mapping of the configuration, in fields.
func mongoMapping(cfg Config) mongo.UserMapping {
	m := cfg.Store.Users
	return mongo.UserMapping{Collection: m.Collection, LoginFields: m.LoginFields, EmailField: m.EmailField,
		IDField: m.IDField, PasswordField: m.PasswordField, PasswordChangedAtField: m.changedAt(),
		LanguageField: cfg.Languages.userField(), FirstNameField: optional(m.FirstNameField),
		LastNameField: optional(m.LastNameField), ActiveField: optional(m.ActiveField)}
}

// postgresMapping is the users mapping of the configuration, in columns.
func postgresMapping(cfg Config) postgres.UserMapping {
	m, pg := cfg.Store.Users, cfg.Store.Postgres
	return postgres.UserMapping{Table: pg.Table, LoginColumns: m.LoginFields, EmailColumn: m.EmailField,
		IDColumn: pg.IDColumn, PasswordColumn: m.PasswordField, ChangedAtColumn: m.changedAt(),
		LanguageColumn: cfg.Languages.userField(), FirstNameColumn: optional(m.FirstNameField),
		LastNameColumn: optional(m.LastNameField), ActiveColumn: optional(m.ActiveField)}
}

// nameSchemaVariables rewords the errors of postgres.Open to name the variable
// to fix: DATABASE_URL when it did not connect, the mapping's variable for each
// column of the users table that does not fit.
func nameSchemaVariables(err error) error {
	var ce *postgres.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	var problems []error
	for _, e := range Problems(err) {
		var se *postgres.SchemaError
		if errors.As(e, &se) {
			e = fmt.Errorf("%s: %w", schemaVariables[se.Role], se)
		}
		problems = append(problems, e)
	}
	return errors.Join(problems...)
}

// schemaVariables names the variable behind each role of the users mapping.
var schemaVariables = map[string]string{
	postgres.RoleTable: "USERS_TABLE", postgres.RoleLogin: "USER_LOGIN_FIELDS", postgres.RoleEmail: "USER_EMAIL_FIELD",
	postgres.RoleID: "USER_VERIFICATION_ID_FIELD", postgres.RolePassword: "USER_PASSWORD_FIELD",
	postgres.RoleChangedAt: "USER_PASSWORD_CHANGED_AT_FIELD", postgres.RoleLanguage: "USER_LANGUAGE_FIELD",
	postgres.RoleFirstName: "USER_FIRST_NAME_FIELD", postgres.RoleLastName: "USER_LAST_NAME_FIELD",
	postgres.RoleActive: "USER_ACTIVE_FIELD",
}
