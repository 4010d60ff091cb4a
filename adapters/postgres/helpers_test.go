package postgres_test

import (
	"context"
	"crypto/rand"
	neturl "net/url"
	"strings"
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
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// migrated returns a pool on a fresh schema where pwreset's tables exist.
func migrated(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.Pool(t, pgtest.NewSchema(t))
	if _, err := postgres.Migrate(testCtx(t), pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return pool
}

// exec runs statements, failing the test on an error.
func exec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
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

// ownServer is a server of a test's own, to stop or freeze, and the stores of one
// pool on it.
type ownServer struct {
	server  *pgtest.Server
	pool    *pgxpool.Pool
	users   *postgres.UserStore
	box     *postgres.Outbox
	limiter *postgres.RateLimiter
}

// startOwnServer starts a server for the test alone and returns the stores on it,
// each call bounded by timeout; the users table holds ann (id 1, hash "h1").
func startOwnServer(t *testing.T, timeout time.Duration) ownServer {
	t.Helper()
	s := ownServer{server: pgtest.StartServer(t)}
	var err error
	s.pool, err = postgres.Connect(testCtx(t), pgtest.SchemaOn(t, s.server.URL()), timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.pool.Close)
	if _, err := postgres.Migrate(testCtx(t), s.pool); err != nil {
		t.Fatal(err)
	}
	exec(t, s.pool, "CREATE TABLE users (id integer PRIMARY KEY, username text, email text, password text)")
	exec(t, s.pool, "INSERT INTO users VALUES (1, 'ann', 'ann@example.com', 'h1')")
	s.users = newUserStore(t, s.pool, postgres.UserMapping{Timeout: timeout})
	s.box = postgres.NewOutbox(s.pool, timeout)
	s.limiter = postgres.NewRateLimiter(s.pool, timeout)
	return s
}

// schemaOf names the schema a URL of pgtest.NewSchema works in.
func schemaOf(url string) string {
	parsed, err := neturl.Parse(url)
	if err != nil {
		panic(err)
	}
	return parsed.Query().Get("search_path")
}

// newRole creates a login role without any privilege, named prefix and a random
// suffix (roles are the server's, shared by every schema), and returns its name.
func newRole(t *testing.T, admin *pgxpool.Pool, prefix string) string {
	t.Helper()
	role := prefix + strings.ToLower(rand.Text()[:10])
	exec(t, admin, "CREATE ROLE "+role+" LOGIN")
	return role
}
