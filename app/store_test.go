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

// onPostgres is a complete production configuration on PostgreSQL and SMTP.
var onPostgres = []string{
	"DATABASE_URL=postgres://pwreset:s3cret@db:5432/app",
	"SECRET_KEY=0123456789abcdef0123456789abcdef",
	"RESET_PASSWORD_VERIFICATION_URL=https://frontend-host/reset-password/",
	"VERIFICATION_FROM_EMAIL=noreply@example.com",
	"SMTP_URL=smtp://apikey:s3cret@smtp.example.com:587",
}

// TestPostgresAndSMTPSettings: DATABASE_URL alone leaves demo mode, SMTP_URL
// stands in for SendGrid, and the users mapping reads the same variables.
func TestPostgresAndSMTPSettings(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(onPostgres), "USERS_TABLE=auth_user", "USER_PASSWORD_CHANGED_AT_FIELD=off"))
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if cfg.Demo() || cfg.Store.Backend() != app.BackendPostgres || cfg.Store.Postgres.Table != "auth_user" || cfg.Store.Postgres.IDColumn != "" ||
		cfg.Mail.SMTP.TLS != "on" || cfg.Mail.SMTP.Timeout.Seconds() != 10 || cfg.Store.Postgres.Timeout.Seconds() != 5 {
		t.Fatalf("settings: %+v %+v", cfg.Store.Postgres, cfg.Mail.SMTP)
	}
	cfg, err = app.Load(append(slices.Clone(onPostgres), "USER_VERIFICATION_ID_FIELD=user_id"))
	if err != nil || cfg.Store.Postgres.IDColumn != "user_id" || cfg.Store.Users.IDField != "user_id" {
		t.Fatalf("USER_VERIFICATION_ID_FIELD not read for PostgreSQL: %q, %v", cfg.Store.Postgres.IDColumn, err)
	}
}

// TestPostgresAndSMTPProblems: two databases, two mail providers, and bad URLs
// and settings are each one clear line naming the variables, never a password.
func TestPostgresAndSMTPProblems(t *testing.T) {
	const notURL = "not a PostgreSQL URL such as postgres://user:password@host:5432/database"
	cases := []struct {
		env  []string
		want []string
	}{
		{[]string{"MONGODB_URI=mongodb://db/"}, []string{"DATABASE_URL and MONGODB_URI are both set"}},
		{[]string{"SENDGRID_API_KEY=SG.x"}, []string{"SENDGRID_API_KEY and SMTP_URL are both set"}},
		{[]string{"DATABASE_URL=postgres://u:s3cret@db:port/app"}, []string{"DATABASE_URL is " + notURL + " (invalid port)"}},
		{[]string{"DATABASE_URL=mysql://u:s3cret@db/app"}, []string{"DATABASE_URL is " + notURL + " (failed to parse as keyword/value"}},
		{[]string{"DATABASE_URL=postgres://u:s3cret%zz@db/app"}, []string{"DATABASE_URL is " + notURL + " (failed to parse as URL (invalid percent-encoded token in password))"}},
		{[]string{"DATABASE_URL=postgres://u:s3cret@db/app?pool_max_conns=many"}, []string{"DATABASE_URL is " + notURL + " (cannot parse pool_max_conns"}},
		{[]string{"DATABASE_TIMEOUT=0s", "USERS_TABLE= "}, []string{"DATABASE_TIMEOUT must be a positive duration", "USERS_TABLE must not be empty"}},
		{[]string{"SMTP_URL=http://u:s3cret@relay"}, []string{"SMTP_URL: want smtp://"}},
		{[]string{"SMTP_TLS=maybe"}, []string{"SMTP_TLS \"maybe\" is not supported"}},
		{[]string{"SMTP_URL=smtps://u:s3cret@relay", "SMTP_TLS=off"}, []string{"SMTP_TLS=off needs an smtp:// URL"}},
		{[]string{"SMTP_TIMEOUT=2m"}, []string{"MAIL_LEASE (1m0s) must be at least 4/3 of SMTP_TIMEOUT (2m0s)"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.env, " "), func(t *testing.T) {
			err := wantProblems(t, append(slices.Clone(onPostgres), c.env...), c.want...)
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows a password:\n%v", err)
			}
		})
	}
}

// TestUserSchemaDjangoOnPostgres: USER_SCHEMA=django on PostgreSQL gives Django's
// auth_user table with its integer column id; variables set still win.
func TestUserSchemaDjangoOnPostgres(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(onPostgres), "USER_SCHEMA=django"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Postgres.Table != "auth_user" || cfg.Store.Postgres.IDColumn != "id" || cfg.Store.Users.PasswordField != "password" ||
		cfg.Store.Users.EmailField != "email" || cfg.Store.Users.ChangedAtField != "off" {
		t.Fatalf("USER_SCHEMA=django on PostgreSQL: %+v %+v", cfg.Store.Postgres, cfg.Store.Users)
	}
	cfg, err = app.Load(append(slices.Clone(onPostgres), "USER_SCHEMA=django", "USERS_TABLE=accounts_user", "USER_VERIFICATION_ID_FIELD=uuid"))
	if err != nil || cfg.Store.Postgres.Table != "accounts_user" || cfg.Store.Postgres.IDColumn != "uuid" {
		t.Fatalf("set variables lost: %+v, %v", cfg.Store.Postgres, err)
	}
	cfg, err = app.Load(append(slices.Clone(production), "USER_SCHEMA=django"))
	if err != nil || cfg.Store.Users.IDField != "_id" {
		t.Fatalf("MongoDB's django id field changed: %q, %v", cfg.Store.Users.IDField, err)
	}
}
