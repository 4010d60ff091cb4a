package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
)

// PostgresSettings say where pwreset finds PostgreSQL. DATABASE_URL selects it:
// users in the team's table, the outbox and rate limits in pwreset's own tables.
// The users table's columns come from the same variables as MongoDB's fields
// (USER_LOGIN_FIELDS, USER_EMAIL_FIELD, ...), with the defaults noted here.
type PostgresSettings struct {
	URL     string        `env:"DATABASE_URL"`
	Timeout time.Duration `env:"DATABASE_TIMEOUT" envDefault:"5s"`
	Table   string        `env:"USERS_TABLE" envDefault:"users"`
	// IDColumn reads USER_VERIFICATION_ID_FIELD a second time, without MongoDB's
	// default "_id": on PostgreSQL an unset variable means the column "id".
	IDColumn string `env:"USER_VERIFICATION_ID_FIELD"`
}

// postgresSchemaDefaults holds, for each USER_SCHEMA, the defaults that differ on
// PostgreSQL from those of schemaDefaults: Django's auth_user table has an integer
// column id, where MongoDB has _id.
var postgresSchemaDefaults = map[string]map[string]string{
	"django": {"USERS_TABLE": "auth_user", "USER_VERIFICATION_ID_FIELD": "id"},
}

// applyPostgresSchema adds to vars, when DATABASE_URL is set, the PostgreSQL
// defaults of the USER_SCHEMA it names, for every variable the operator did not set.
func applyPostgresSchema(vars map[string]string) {
	if vars["DATABASE_URL"] == "" {
		return
	}
	for k, v := range postgresSchemaDefaults[vars["USER_SCHEMA"]] {
		if vars[k] == "" {
			vars[k] = v
		}
	}
}

// Postgres reports whether PostgreSQL holds the users (DATABASE_URL is set).
func (c Config) Postgres() bool { return c.Database.URL != "" }

// postgresProblems checks the PostgreSQL settings and that one database is chosen.
func (c Config) postgresProblems() []error {
	if c.Database.URL == "" {
		return nil
	}
	var p []error
	if c.MongoDBURI != "" {
		p = append(p, errors.New("DATABASE_URL and MONGODB_URI are both set: pwreset uses one database; unset one of them"))
	}
	if _, err := postgres.ParseURL(c.Database.URL); err != nil {
		p = append(p, fmt.Errorf("DATABASE_URL is %w", err))
	}
	if c.Database.Timeout <= 0 {
		p = append(p, errors.New("DATABASE_TIMEOUT must be a positive duration, such as 5s"))
	}
	if strings.TrimSpace(c.Database.Table) == "" {
		p = append(p, errors.New("USERS_TABLE must not be empty"))
	}
	return p
}

// storeTimeout bounds a call of the chosen database: DATABASE_TIMEOUT on
// PostgreSQL, MONGODB_TIMEOUT otherwise.
func (c Config) storeTimeout() time.Duration {
	if c.Postgres() {
		return c.Database.Timeout
	}
	return c.MongoDBTimeout
}
