package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
)

// Postgres is the PostgreSQL of users, outbox and rate limits; nil unless
// DATABASE_URL is set.
type Postgres struct{ *pgxpool.Pool }

// ProvidePostgres connects to DATABASE_URL, if set, and brings pwreset's own
// tables up to date (see postgres.Migrate; `pwreset migrate` does it alone).
func ProvidePostgres(ctx context.Context, cfg Config, log *slog.Logger, t Tracing) (Postgres, func(), error) {
	if !cfg.Postgres() {
		return Postgres{}, func() {}, nil
	}
	pool, err := postgres.Connect(ctx, cfg.Database.URL, cfg.Database.Timeout, t.pgOptions()...)
	if err != nil {
		return Postgres{}, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	applied, err := postgres.Migrate(ctx, pool)
	if err != nil {
		pool.Close()
		return Postgres{}, nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated pwreset's tables", "versions", applied)
	}
	return Postgres{pool}, pool.Close, nil
}

// postgresUserStore checks the users table against the mapping and returns its
// store. Each problem names the variable to fix.
func postgresUserStore(ctx context.Context, cfg Config, pg Postgres) (*postgres.UserStore, error) {
	s, err := postgres.NewUserStore(ctx, pg.Pool, postgresMapping(cfg))
	var problems []error
	for _, e := range Problems(err) {
		var se *postgres.SchemaError
		if errors.As(e, &se) {
			e = fmt.Errorf("%s: %w", schemaVariables[se.Role], se)
		}
		problems = append(problems, e)
	}
	return s, errors.Join(problems...)
}

// schemaVariables names the variable behind each role of the users mapping.
var schemaVariables = map[string]string{
	postgres.RoleTable: "USERS_TABLE", postgres.RoleLogin: "USER_LOGIN_FIELDS", postgres.RoleEmail: "USER_EMAIL_FIELD",
	postgres.RoleID: "USER_VERIFICATION_ID_FIELD", postgres.RolePassword: "USER_PASSWORD_FIELD",
	postgres.RoleChangedAt: "USER_PASSWORD_CHANGED_AT_FIELD", postgres.RoleLanguage: "USER_LANGUAGE_FIELD",
	postgres.RoleFirstName: "USER_FIRST_NAME_FIELD", postgres.RoleLastName: "USER_LAST_NAME_FIELD",
	postgres.RoleActive: "USER_ACTIVE_FIELD",
}

// postgresMapping is the users mapping of the configuration, in columns.
func postgresMapping(cfg Config) postgres.UserMapping {
	m := cfg.Users
	changedAt := m.ChangedAtField
	if changedAt == "off" {
		changedAt = ""
	}
	return postgres.UserMapping{Table: cfg.Database.Table, LoginColumns: m.LoginFields, EmailColumn: m.EmailField,
		IDColumn: cfg.Database.IDColumn, PasswordColumn: m.PasswordField, ChangedAtColumn: changedAt,
		LanguageColumn: cfg.Languages.userField(), Timeout: cfg.Database.Timeout,
		FirstNameColumn: optional(m.FirstNameField), LastNameColumn: optional(m.LastNameField), ActiveColumn: optional(m.ActiveField)}
}
