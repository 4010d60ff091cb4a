package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/app"
)

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
	cfg, _ = app.Load(append(slices.Clone(onPostgres), "USER_VERIFICATION_ID_FIELD=user_id"))
	if cfg.Store.Postgres.IDColumn != "user_id" || cfg.Store.Users.IDField != "user_id" {
		t.Fatalf("USER_VERIFICATION_ID_FIELD not read for PostgreSQL: %q", cfg.Store.Postgres.IDColumn)
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
	cfg, _ = app.Load(append(slices.Clone(production), "USER_SCHEMA=django"))
	if cfg.Store.Users.IDField != "_id" {
		t.Fatalf("MongoDB's django id field changed: %q", cfg.Store.Users.IDField)
	}
}
