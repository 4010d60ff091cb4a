package postgres_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestOpen: Open migrates pwreset's tables (saying so once), checks the users
// table, and returns every store of the backend, its readiness check answering,
// its name and timeout; close closes the pool, after which readiness fails.
func TestOpen(t *testing.T) {
	url := pgtest.NewSchema(t)
	exec(t, pgtest.Pool(t, url), "CREATE TABLE people (id bigint PRIMARY KEY, username text, email text, password text)")
	var logs bytes.Buffer
	cfg := postgres.Config{URL: url, Timeout: 7 * time.Second, Users: postgres.UserMapping{Table: "people"},
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	s, closeStores, err := postgres.Open(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Users == nil || s.Outbox == nil || s.Limiter == nil || s.Campaigns == nil || s.Readiness == nil ||
		s.Name != "PostgreSQL" || s.Timeout != 7*time.Second {
		t.Fatalf("incomplete stores: %+v", s)
	}
	if err := s.Readiness.Ping(testCtx(t)); err != nil {
		t.Fatalf("readiness of a running server: %v", err)
	}
	if _, err := s.Outbox.Stats(testCtx(t)); err != nil {
		t.Errorf("the outbox's table is not there: %v", err)
	}
	if _, err := s.Users.FindByLogin(testCtx(t), "nobody"); !errors.Is(err, ports.ErrUserNotFound) {
		t.Errorf("FindByLogin in an empty table: %v; want ErrUserNotFound", err)
	}
	closeStores()
	if err := s.Readiness.Ping(testCtx(t)); err == nil {
		t.Error("readiness after close: nil; want the pool closed")
	}
	if !strings.Contains(logs.String(), "migrated pwreset's tables") {
		t.Errorf("the first Open did not say it migrated: %s", logs.String())
	}
	logs.Reset()
	_, closeStores, err = postgres.Open(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	closeStores()
	if logs.Len() != 0 {
		t.Errorf("a second Open logged: %s", logs.String())
	}
}

// TestOpenErrors: a server that is not there is a *ConnectError; a users table
// that does not fit is a *SchemaError per problem, after connecting; neither
// leaves anything to close.
func TestOpenErrors(t *testing.T) {
	s, closeStores, err := postgres.Open(testCtx(t), postgres.Config{URL: "postgres://u:s3cret@127.0.0.1:1/db?sslmode=disable", Timeout: time.Second})
	var ce *postgres.ConnectError
	if !errors.As(err, &ce) || !errors.Is(err, ports.ErrUnavailable) || closeStores != nil || s.Users != nil {
		t.Errorf("Open of nothing: %v; want a *ConnectError wrapping ErrUnavailable, and nothing", err)
	}
	s, closeStores, err = postgres.Open(testCtx(t), postgres.Config{URL: pgtest.NewSchema(t), Users: postgres.UserMapping{Table: "missing"}})
	var se *postgres.SchemaError
	if !errors.As(err, &se) || errors.As(err, &ce) || se.Role != postgres.RoleTable || closeStores != nil || s.Users != nil {
		t.Errorf("Open without the users table: %v; want a *SchemaError of the table, and nothing", err)
	}
}
