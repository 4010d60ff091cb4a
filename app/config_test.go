package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/ports"
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
		cfg.Reset.PasswordConfirm || cfg.Reset.UseEmail || cfg.Hasher.Name != "argon2id" || cfg.MongoDBDatabase != "pwreset" ||
		cfg.Users.Collection != "users" || !slices.Equal(cfg.Users.LoginFields, []string{"username"}) ||
		cfg.Users.EmailField != "email" || cfg.Users.IDField != "_id" || cfg.Users.PasswordField != "password" ||
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
	if cfg.HTTP.APIPrefix != "/auth/" || !slices.Equal(cfg.Users.LoginFields, []string{"username", "email"}) ||
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

func TestDisabledNeedsNoLinkSettings(t *testing.T) {
	_, err := app.Load([]string{"MONGODB_URI=mongodb://db/", "SECRET_KEY=0123456789abcdef0123456789abcdef",
		"RESET_PASSWORD_VERIFICATION_ENABLED=false", "SENDGRID_API_KEY=SG.x"})
	if err != nil {
		t.Fatalf("disabled service refused: %v", err)
	}
}

// TestClientIPv6Prefix: CLIENT_IPV6_PREFIX reaches the API (default 64) and is
// refused outside 32..128.
func TestClientIPv6Prefix(t *testing.T) {
	for env, want := range map[string]int{"": 64, "CLIENT_IPV6_PREFIX=56": 56, "CLIENT_IPV6_PREFIX=128": 128} {
		cfg, err := app.Load(append(slices.Clone(production), env))
		if err != nil {
			t.Fatal(err)
		}
		hc, err := app.ProvideHTTPConfig(cfg, apihttp.Operations{}, nil)
		if err != nil || hc.ClientIPv6Prefix != want {
			t.Errorf("%q: prefix %d (%v), want %d", env, hc.ClientIPv6Prefix, err, want)
		}
	}
	for _, bad := range []string{"0", "16", "129", "-64"} {
		wantProblems(t, append(slices.Clone(production), "CLIENT_IPV6_PREFIX="+bad), "CLIENT_IPV6_PREFIX is "+bad+"; it must be from 32 to 128")
	}
}

// TestHashQueue: HASH_QUEUE_TIMEOUT bounds the wait of the pool the API queues in,
// and must be positive.
func TestHashQueue(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(production), "HASH_QUEUE_TIMEOUT=1ms", "HASH_CONCURRENCY=1"))
	if err != nil {
		t.Fatal(err)
	}
	pool := app.ProvideHasher(cfg, prometheus.New())
	release, err := pool.Admit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	// The one place is taken and nothing frees it: only the bound ends the wait.
	if _, err := pool.Admit(context.Background()); !errors.Is(err, ports.ErrHasherBusy) {
		t.Errorf("second Admit: %v, want ports.ErrHasherBusy", err)
	}
	for _, bad := range []string{"0s", "-1s", "30s"} {
		wantProblems(t, append(slices.Clone(production), "HASH_QUEUE_TIMEOUT="+bad), "HASH_QUEUE_TIMEOUT must be a positive duration under 30s")
	}
}

// TestLinksClientShare: RESET_PASSWORD_LINKS_CLIENT_SHARE is the percentage of the
// hourly link cap one client gets (issue 18 item 4), at least one link while both
// are on; 0 or an hourly cap of 0 turns it off.
func TestLinksClientShare(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want int
	}{
		{nil, 50},
		{[]string{"RESET_PASSWORD_LINKS_CLIENT_SHARE=20"}, 200},
		{[]string{"RESET_PASSWORD_LINKS_PER_HOUR=10"}, 1},
		{[]string{"RESET_PASSWORD_LINKS_CLIENT_SHARE=0"}, 0},
		{[]string{"RESET_PASSWORD_LINKS_PER_HOUR=0"}, 0},
	} {
		cfg, err := app.Load(append(slices.Clone(production), c.env...))
		if err != nil {
			t.Fatal(err)
		}
		if got := app.ProvideResetConfig(cfg, app.Listener{}).LinksPerClient; got != c.want {
			t.Errorf("%q: %d links per client, want %d", c.env, got, c.want)
		}
	}
	for _, bad := range []string{"-1", "101"} {
		wantProblems(t, append(slices.Clone(production), "RESET_PASSWORD_LINKS_CLIENT_SHARE="+bad),
			"RESET_PASSWORD_LINKS_CLIENT_SHARE is "+bad+"; it must be a percentage from 0 (off) to 100")
	}
}
