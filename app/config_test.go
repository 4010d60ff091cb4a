package app_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/app"
)

var production = []string{
	"MONGODB_URI=mongodb://db/",
	"SECRET_KEY=0123456789abcdef0123456789abcdef",
	"RESET_PASSWORD_VERIFICATION_URL=https://frontend-host/reset-password/",
	"VERIFICATION_FROM_EMAIL=noreply@example.com",
	"SENDGRID_API_KEY=SG.key",
}

func TestDefaults(t *testing.T) {
	cfg, err := app.Load(nil)
	if err != nil {
		t.Fatalf("demo mode needs no variable: %v", err)
	}
	if !cfg.Demo() || cfg.HTTP.Addr != ":8080" || cfg.HTTP.APIPrefix != "/api/v1/accounts/" ||
		!cfg.Reset.Enabled || !cfg.Reset.FailWhenUserNotFound || cfg.Reset.Period != 24*time.Hour || cfg.Reset.OneTimeUse ||
		cfg.Reset.PasswordConfirm || cfg.Reset.UseEmail || cfg.Hasher.Name != "argon2id" || cfg.Store.MongoDBDatabase != "pwreset" ||
		cfg.Store.Users.Collection != "users" || !slices.Equal(cfg.Store.Users.LoginFields, []string{"username"}) ||
		cfg.Store.Users.EmailField != "email" || cfg.Store.Users.IDField != "_id" || cfg.Store.Users.PasswordField != "password" ||
		cfg.Mail.SendGridAPIURL != "https://api.sendgrid.com" {
		t.Fatalf("defaults: %+v", cfg)
	}
	if _, err := app.Load(production); err != nil {
		t.Fatalf("a complete production configuration is refused: %v", err)
	}
}

func TestSettings(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(production),
		"API_PREFIX=auth", "USER_LOGIN_FIELDS=username,email", "RESET_PASSWORD_VERIFICATION_PERIOD=30m",
		"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true", "RESET_PASSWORD_FAIL_WHEN_USER_NOT_FOUND=false",
		"CORS_ALLOWED_ORIGINS=https://a.example,https://b.example", "PASSWORD_HASHER=bcrypt"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.APIPrefix != "/auth/" || !slices.Equal(cfg.Store.Users.LoginFields, []string{"username", "email"}) ||
		cfg.Reset.Period != 30*time.Minute || !cfg.Reset.OneTimeUse || cfg.Reset.FailWhenUserNotFound ||
		len(cfg.HTTP.CORSAllowedOrigins) != 2 || cfg.Hasher.Name != "bcrypt" {
		t.Fatalf("settings not read: %+v", cfg)
	}
}

// TestProblems: every bad setting is reported, one clear line each, all at once.
func TestProblems(t *testing.T) {
	cases := []struct {
		env  []string
		want []string
	}{
		{[]string{"MONGODB_URI=mongodb://db/"}, []string{"SECRET_KEY is required", "RESET_PASSWORD_VERIFICATION_URL is required",
			"VERIFICATION_FROM_EMAIL is required", "SENDGRID_API_KEY is required"}},
		{[]string{"SECRET_KEY=short"}, []string{"SECRET_KEY is 5 bytes long; it must be at least 32"}},
		{[]string{"SECRET_KEY_FALLBACKS=old"}, []string{"SECRET_KEY_FALLBACKS entry 1 is shorter than 32 bytes"}},
		{[]string{"RESET_PASSWORD_VERIFICATION_URL=frontend/reset"}, []string{"RESET_PASSWORD_VERIFICATION_URL \"frontend/reset\""}},
		{[]string{"VERIFICATION_FROM_EMAIL=not an address"}, []string{"VERIFICATION_FROM_EMAIL \"not an address\" is not an e-mail address"}},
		{[]string{"RESET_PASSWORD_VERIFICATION_PERIOD=0s", "PASSWORD_HASHER=md5", "LOG_FORMAT=xml", "PASSWORD_MIN_LENGTH=0"},
			[]string{"RESET_PASSWORD_VERIFICATION_PERIOD must be positive", "PASSWORD_HASHER \"md5\" is not supported",
				"LOG_FORMAT \"xml\" is not supported", "PASSWORD_MIN_LENGTH must be at least 1"}},
		{[]string{"USER_LOGIN_FIELDS=username,,email", "USER_EMAIL_FIELD= "}, []string{"USER_LOGIN_FIELDS has an empty entry", "USER_EMAIL_FIELD must not be empty"}},
		{[]string{"CORS_ALLOWED_ORIGINS=frontend-host"}, []string{"CORS_ALLOWED_ORIGINS entry \"frontend-host\" is not an origin"}},
		{[]string{"RESET_PASSWORD_VERIFICATION_PERIOD=soon"}, []string{"RESET_PASSWORD_VERIFICATION_PERIOD"}},
		{[]string{"RESET_PASSWORD_VERIFICATION_ENABLED=maybe"}, []string{"RESET_PASSWORD_VERIFICATION_ENABLED"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.env, " "), func(t *testing.T) { wantProblems(t, c.env, c.want...) })
	}
}
