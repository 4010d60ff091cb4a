package postgres_test

import (
	neturl "net/url"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestLeastPrivilegeRole: a role holding only the grants docs/operations.md lists
// (no DDL, UPDATE on the password and changed-at columns only) runs every store
// operation, and start-up's Migrate asks nothing more of it once the schema is
// migrated.
func TestLeastPrivilegeRole(t *testing.T) {
	url := pgtest.NewSchema(t)
	admin := pgtest.Pool(t, url)
	if _, err := postgres.Migrate(testCtx(t), admin); err != nil {
		t.Fatal(err)
	}
	exec(t, admin, `CREATE TABLE auth_user (id serial PRIMARY KEY, username text UNIQUE, email text, password text,
		password_changed_at timestamptz, is_staff boolean NOT NULL DEFAULT false)`)
	exec(t, admin, "INSERT INTO auth_user (username, email, password) VALUES ('ann', 'ann@example.com', 'old')")
	parsed, _ := neturl.Parse(url)
	schema := parsed.Query().Get("search_path")
	role := newRole(t, admin, "svc_")
	// As in docs/operations.md; the admin's search_path names the schema's objects.
	for _, grant := range []string{
		"GRANT USAGE ON SCHEMA " + schema,
		"GRANT SELECT, UPDATE (password, password_changed_at) ON auth_user",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON pwreset_outbox, pwreset_rate_limits, pwreset_campaigns",
		"GRANT SELECT ON pwreset_schema_migrations",
		"GRANT EXECUTE ON FUNCTION pwreset_rate_limit_allow(text, integer, timestamptz, timestamptz)",
		"GRANT EXECUTE ON FUNCTION pwreset_add_limited(text[], integer[], timestamptz[], text[], text, timestamptz, timestamptz, " +
			"text, text, text, text, text, text, text)",
		"GRANT EXECUTE ON FUNCTION pwreset_add_limited(text[], integer[], timestamptz[], text[], text, timestamptz, timestamptz, " +
			"text, text, text, text, text, text, text, boolean)",
		"GRANT EXECUTE ON FUNCTION pwreset_add_limited(text[], integer[], timestamptz[], text[], text, timestamptz, timestamptz, " +
			"text, text, text, text, text, text, text, boolean, text)",
		"GRANT EXECUTE ON FUNCTION pwreset_require_read_committed()",
	} {
		exec(t, admin, grant+" TO "+role)
	}
	pool := pgtest.Pool(t, pgtest.WithParam(url, "user", role))
	if applied, err := postgres.Migrate(testCtx(t), pool); err != nil || len(applied) != 0 {
		t.Fatalf("Migrate as the service role: %v, %v", applied, err)
	}
	users := newUserStore(t, pool, postgres.UserMapping{Table: "auth_user", ChangedAtColumn: "password_changed_at"})
	u, err := users.FindByLogin(testCtx(t), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetPassword(testCtx(t), ports.PasswordChange{UserID: u.ID, OldHash: "old", NewHash: "new", ChangedAt: time.Now()}); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, err := pool.Exec(testCtx(t), "UPDATE auth_user SET is_staff = true"); err == nil {
		t.Fatal("the role may write a column other than the password's")
	}
	box, now := postgres.NewOutbox(pool, 0), time.Now()
	id, err := box.Add(testCtx(t), ports.Message{Kind: "reset_link", To: "ann@example.com"}, now)
	if err == nil {
		_, err = box.Claim(testCtx(t), "w", now, time.Minute)
	}
	if err == nil {
		err = box.MarkSent(testCtx(t), id, "w", "p", now)
	}
	if err == nil {
		_, err = box.Purge(testCtx(t), now.Add(time.Hour))
	}
	if err != nil {
		t.Fatalf("outbox as the service role: %v", err)
	}
	limiter := postgres.NewRateLimiter(pool, 0)
	if _, _, err := limiter.Allow(testCtx(t), "k", 1, time.Minute, now); err != nil {
		t.Fatalf("Allow: %v", err)
	}
	limits := []ports.Limit{{Key: "k2", Max: 1, Window: time.Minute}}
	if _, refused, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Limits: limits}, now); err != nil || refused != -1 {
		t.Fatalf("AddLimited: %d, %v", refused, err)
	}
	if _, err := limiter.Purge(testCtx(t), now); err != nil {
		t.Fatalf("Purge: %v", err)
	}
}
