package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestIDKinds: integer and UUID id columns find users only by the canonical text
// of their id, and a reset writes the password and changed-at columns and nothing
// else, whatever the id's type (Django's auth_user has an integer id).
func TestIDKinds(t *testing.T) {
	cases := []struct {
		name, idType, id string
		others           []string // texts that must not find the user
	}{
		{"integer", "integer", "42", []string{"042", "+42", "42.0", "43", "x", "", "99999999999999999999"}},
		{"bigint", "bigint", "9007199254740993", []string{"9007199254740992", " 9007199254740993"}},
		{"uuid", "uuid", "0f8fad5b-d9cb-469f-a165-70867728950e",
			[]string{"0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5bd9cb469fa16570867728950e", "{0f8fad5b-d9cb-469f-a165-70867728950e}"}},
		{"text", "varchar(64)", "user-7", []string{"USER-7", "user-7 "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool := pgtest.Pool(t, pgtest.NewSchema(t))
			exec(t, pool, "CREATE TABLE people (pk "+c.idType+" PRIMARY KEY, login text, mail text, pw text, "+
				"changed timestamp, first_name text NOT NULL, is_active boolean NOT NULL)")
			exec(t, pool, "INSERT INTO people VALUES ($1, 'ann', 'ann@example.com', 'old', NULL, 'Ann', true)", c.id)
			s := newUserStore(t, pool, postgres.UserMapping{Table: "people", LoginColumns: []string{"login"},
				EmailColumn: "mail", IDColumn: "pk", PasswordColumn: "pw", ChangedAtColumn: "changed"})
			if u, err := s.FindByID(testCtx(t), c.id); err != nil || u.ID != c.id || u.Email != "ann@example.com" {
				t.Fatalf("FindByID(%q) = %+v, %v", c.id, u, err)
			}
			for _, other := range c.others {
				if _, err := s.FindByID(testCtx(t), other); !errors.Is(err, ports.ErrUserNotFound) {
					t.Errorf("FindByID(%q): %v, want ErrUserNotFound", other, err)
				}
			}
			before := rowText(t, pool, "people")
			at := time.Date(2026, 12, 1, 10, 30, 0, 123000000, time.FixedZone("CET", 3600))
			if err := s.SetPassword(testCtx(t), ports.PasswordChange{UserID: c.id, OldHash: "old", NewHash: "new", ChangedAt: at}); err != nil {
				t.Fatalf("SetPassword: %v", err)
			}
			var changed time.Time
			if err := pool.QueryRow(testCtx(t), "SELECT changed FROM people").Scan(&changed); err != nil ||
				!changed.Equal(time.Date(2026, 12, 1, 9, 30, 0, 123000000, time.UTC)) {
				t.Errorf("changed = %v, %v; want the change's time in UTC", changed, err)
			}
			exec(t, pool, "UPDATE people SET pw = 'old', changed = NULL")
			if after := rowText(t, pool, "people"); after != before {
				t.Errorf("a reset wrote other columns:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// rowText is a table's single row as text.
func rowText(t *testing.T, pool *pgxpool.Pool, table string) string {
	t.Helper()
	var row string
	if err := pool.QueryRow(testCtx(t), "SELECT t::text FROM "+table+" t").Scan(&row); err != nil {
		t.Fatal(err)
	}
	return row
}

// TestCitextLogin: a citext login column, which the schema check accepts, is
// compared exactly like any other, as the port asks: the case of a login counts.
func TestCitextLogin(t *testing.T) {
	pool := pgtest.Pool(t, pgtest.NewSchema(t))
	if _, err := pool.Exec(testCtx(t), "CREATE EXTENSION IF NOT EXISTS citext"); err != nil {
		t.Skipf("the server has no citext extension: %v", err)
	}
	// The extension belongs to the database, in the schema of the test that made it.
	var citext string
	err := pool.QueryRow(testCtx(t), `SELECT format('%I.citext', n.nspname) FROM pg_type t
		JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'citext'`).Scan(&citext)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, pool, "CREATE TABLE users (id bigint PRIMARY KEY, username "+citext+" UNIQUE, email "+citext+", password text)")
	exec(t, pool, "INSERT INTO users VALUES (7, 'Ann', 'Ann@Example.com', 'h')")
	s := newUserStore(t, pool, postgres.UserMapping{})
	if u, err := s.FindByLogin(testCtx(t), "Ann"); err != nil || u.ID != "7" || u.Email != "Ann@Example.com" {
		t.Errorf("FindByLogin(Ann) = %+v, %v", u, err)
	}
	for _, login := range []string{"ann", "ANN"} {
		if _, err := s.FindByLogin(testCtx(t), login); !errors.Is(err, ports.ErrUserNotFound) {
			t.Errorf("FindByLogin(%q): %v; want ErrUserNotFound", login, err)
		}
	}
	if _, err := s.FindByEmail(testCtx(t), "ann@example.com"); !errors.Is(err, ports.ErrUserNotFound) {
		t.Errorf("FindByEmail in another case: %v; want ErrUserNotFound", err)
	}
}

// TestDjangoProfileColumns: on Django's auth_user, first_name, last_name and
// is_active are read where the mapping names them (NULL as none); a column that
// does not exist or has the wrong type stops the store with its role named.
func TestDjangoProfileColumns(t *testing.T) {
	pool := pgtest.Pool(t, pgtest.NewSchema(t))
	exec(t, pool, `CREATE TABLE auth_user (id serial PRIMARY KEY, username varchar(150) UNIQUE NOT NULL,
		first_name varchar(150) NOT NULL, last_name varchar(150), email varchar(254) NOT NULL,
		password varchar(128) NOT NULL, is_active boolean)`)
	exec(t, pool, `INSERT INTO auth_user (username, first_name, last_name, email, password, is_active) VALUES
		('kathrin', 'Kathrin', 'Oberhauser', 'k@example.com', 'h', false),
		('bob', '', NULL, 'b@example.com', 'h', true),
		('carol', '', '', 'c@example.com', 'h', NULL)`)
	m := postgres.UserMapping{Table: "auth_user", FirstNameColumn: "first_name", LastNameColumn: "last_name", ActiveColumn: "is_active"}
	s := newUserStore(t, pool, m)
	for _, tt := range []struct {
		login       string
		first, last string
		inactive    bool
	}{{"kathrin", "Kathrin", "Oberhauser", true}, {"bob", "", "", false}, {"carol", "", "", false}} {
		u, err := s.FindByLogin(testCtx(t), tt.login)
		if err != nil || u.FirstName != tt.first || u.LastName != tt.last || u.Inactive != tt.inactive {
			t.Errorf("FindByLogin(%q) = %+v, %v; want names %q %q, inactive %v", tt.login, u, err, tt.first, tt.last, tt.inactive)
		}
	}
	if u, err := s.FindByEmail(testCtx(t), "k@example.com"); err != nil || u.FirstName != "Kathrin" || !u.Inactive {
		t.Errorf("FindByEmail = %+v, %v", u, err)
	}

	bad := m
	bad.FirstNameColumn, bad.ActiveColumn = "given_name", "email"
	_, err := postgres.NewUserStore(testCtx(t), pool, bad)
	if err == nil || !strings.Contains(err.Error(), `column "given_name" does not exist`) ||
		!strings.Contains(err.Error(), `column "email" of table "auth_user" is of type character varying; want boolean`) {
		t.Fatalf("NewUserStore with a missing name column and a text is_active: %v", err)
	}
}

// TestDuplicateEmails counts the addresses several users share; empty and NULL
// addresses are no address.
func TestDuplicateEmails(t *testing.T) {
	pool := pgtest.Pool(t, pgtest.NewSchema(t))
	exec(t, pool, "CREATE TABLE users (id bigint PRIMARY KEY, username text, email text, password text)")
	s := newUserStore(t, pool, postgres.UserMapping{})
	if n, err := s.DuplicateEmails(testCtx(t)); err != nil || n != 0 {
		t.Fatalf("empty table: %d, %v", n, err)
	}
	exec(t, pool, `INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'a@example.com'), (3, 'a@example.com'),
		(4, 'b@example.com'), (5, 'B@example.com'), (6, 'c@example.com'), (7, 'c@example.com'),
		(8, ''), (9, ''), (10, NULL), (11, NULL)`)
	if n, err := s.DuplicateEmails(testCtx(t)); err != nil || n != 2 {
		t.Errorf("DuplicateEmails = %d, %v; want 2 (a@ three times, c@ twice)", n, err)
	}
}
