package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/ports"
)

// TestStoresFollowTheConfiguration: the one switch opens the backend the
// configuration names. Memory holds the demo user and needs no readiness check;
// MongoDB and PostgreSQL are tried at MONGODB_URI and DATABASE_URL (servers that
// are not there, so that the error tells which was tried, naming its variable).
func TestStoresFollowTheConfiguration(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(t *testing.T, env []string) (ports.Stores, error) {
		t.Helper()
		cfg, err := app.Load(env)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, closeStores, err := app.ProvideStores(ctx, cfg, quiet, app.Tracing{}, system.Clock{})
		if err == nil {
			t.Cleanup(closeStores)
		}
		return s, err
	}

	s, err := open(t, nil)
	if err != nil || s.Name != "memory" || s.Readiness != nil || s.Outbox == nil || s.Limiter == nil || s.Campaigns == nil {
		t.Fatalf("demo mode: %+v, %v; want the memory backend", s, err)
	}
	if u, err := s.Users.FindByLogin(context.Background(), "demo"); err != nil || u.ID != app.DemoUser.ID {
		t.Errorf("demo mode's user: %+v, %v", u, err)
	}

	withDB := func(db ...string) []string {
		return append(slices.DeleteFunc(slices.Clone(production), func(kv string) bool { return strings.HasPrefix(kv, "MONGODB_URI=") }), db...)
	}
	_, err = open(t, withDB("MONGODB_URI=mongodb://127.0.0.1:1/", "MONGODB_TIMEOUT=300ms"))
	if !errors.Is(err, ports.ErrUnavailable) || !strings.Contains(err.Error(), "ping MongoDB at 127.0.0.1:1") {
		t.Errorf("MONGODB_URI: %v; want MongoDB tried there", err)
	}
	_, err = open(t, withDB("DATABASE_URL=postgres://u:s3cret@127.0.0.1:1/app?sslmode=disable", "DATABASE_TIMEOUT=300ms"))
	if !errors.Is(err, ports.ErrUnavailable) || !strings.HasPrefix(err.Error(), "DATABASE_URL: ") ||
		!strings.Contains(err.Error(), "connect to PostgreSQL at 127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("DATABASE_URL: %v; want PostgreSQL tried there, the variable named, no password", err)
	}
}

// TestStoresGetThePolicy: RESET_PASSWORD_ACTIVE_USERS_ONLY wraps the chosen
// backend's user store, whichever it is, so that an inactive user is not found.
func TestStoresGetThePolicy(t *testing.T) {
	for _, on := range []bool{false, true} {
		env := []string{"USER_ACTIVE_FIELD=is_active"}
		if on {
			env = append(env, "RESET_PASSWORD_ACTIVE_USERS_ONLY=true")
		}
		cfg, err := app.Load(env)
		if err != nil {
			t.Fatal(err)
		}
		s, closeStores, err := app.ProvideStores(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)),
			app.Tracing{}, system.Clock{})
		if err != nil {
			t.Fatal(err)
		}
		closeStores()
		_, wrapped := s.Users.(interface{ Unwrap() ports.UserStore })
		if wrapped != on {
			t.Errorf("RESET_PASSWORD_ACTIVE_USERS_ONLY=%v: user store %T", on, s.Users)
		}
	}
}
