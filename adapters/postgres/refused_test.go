package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestSetPasswordRefused (issue 17 finding 7): a write the server refuses, a check
// constraint, a hash too long for the column, or a role without the privilege, is
// ports.ErrWriteRefused, never a possible change (ErrUnavailable), and the stored
// password is untouched. Before the fix each was a plain error: the domain had to
// take it for a write that may have landed.
func TestSetPasswordRefused(t *testing.T) {
	url := pgtest.NewSchema(t)
	admin := pgtest.Pool(t, url)
	exec(t, admin, `CREATE TABLE users (id integer PRIMARY KEY, username text, email text,
		password varchar(128) CHECK (password <> 'forbidden'))`)
	exec(t, admin, "INSERT INTO users VALUES (1, 'ann', 'ann@example.com', 'h1')")
	reader := newRole(t, admin, "ro_")
	exec(t, admin, "GRANT USAGE ON SCHEMA "+schemaOf(url)+" TO "+reader)
	exec(t, admin, "GRANT SELECT ON users TO "+reader)

	owner := newUserStore(t, admin, postgres.UserMapping{})
	readOnly := newUserStore(t, pgtest.Pool(t, pgtest.WithParam(url, "user", reader)), postgres.UserMapping{})
	cases := []struct {
		name  string
		store ports.UserStore
		hash  string
	}{
		{"check constraint", owner, "forbidden"},
		{"value too long", owner, strings.Repeat("x", 129)},
		{"no privilege", readOnly, "h2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "1", OldHash: "h1", NewHash: c.hash, ChangedAt: time.Now()})
			if !errors.Is(err, ports.ErrWriteRefused) || errors.Is(err, ports.ErrUnavailable) {
				t.Fatalf("SetPassword = %v; want ErrWriteRefused (and not ErrUnavailable)", err)
			}
			u, err := owner.FindByID(testCtx(t), "1")
			if err != nil || u.PasswordHash != "h1" {
				t.Fatalf("stored %q (%v); want h1 untouched", u.PasswordHash, err)
			}
		})
	}
}
