package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// testCtx bounds each test's calls, so that a hung server fails the test instead
// of the whole run.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// migrated returns a pool on a fresh schema where pwreset's tables exist.
func migrated(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.Pool(t, pgtest.NewSchema(t))
	if _, err := postgres.Migrate(testCtx(t), pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return pool
}

// exec runs statements, failing the test on an error.
func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(testCtx(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// contractTable creates the users table the contract suite expects, with ids of
// every form in a text column, and seeds it with users.
func contractTable(t *testing.T, pool *pgxpool.Pool, users []ports.User) {
	t.Helper()
	exec(t, pool, `CREATE TABLE users (id text PRIMARY KEY, username varchar(150), alias text, email text,
		password varchar(128), language varchar(16), password_changed_at timestamptz, last_login timestamptz)`)
	for _, u := range users {
		var logins [2]*string
		for _, l := range u.Logins {
			v := l.Value
			logins[map[string]int{"username": 0, "alias": 1}[l.Name]] = &v
		}
		var email *string
		if u.Email != "" {
			email = &u.Email
		}
		var language *string
		if u.Language != "" {
			language = &u.Language
		}
		exec(t, pool, "INSERT INTO users (id, username, alias, email, password, language) VALUES ($1, $2, $3, $4, $5, $6)",
			u.ID, logins[0], logins[1], email, u.PasswordHash, language)
	}
}

// contractMapping is the mapping the contract suite expects.
func contractMapping() postgres.UserMapping {
	return postgres.UserMapping{Table: "users", LoginColumns: contract.LoginFields, EmailColumn: contract.EmailField,
		IDColumn: "id", PasswordColumn: "password", ChangedAtColumn: "password_changed_at", LanguageColumn: contract.LanguageField}
}

func newUserStore(t *testing.T, pool *pgxpool.Pool, m postgres.UserMapping) *postgres.UserStore {
	t.Helper()
	s, err := postgres.NewUserStore(testCtx(t), pool, m)
	if err != nil {
		t.Fatalf("NewUserStore: %v", err)
	}
	return s
}
