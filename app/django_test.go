package app_test

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/link"
)

// TestUserSchemaDjango: USER_SCHEMA=django gives Django's defaults, and each
// variable the operator sets (even to the default of pwreset) wins.
func TestUserSchemaDjango(t *testing.T) {
	cfg, err := app.Load(append(slices.Clone(production), "USER_SCHEMA=django"))
	if err != nil {
		t.Fatal(err)
	}
	u := cfg.Store.Users
	if u.Collection != "auth_user" || !slices.Equal(u.LoginFields, []string{"username"}) || u.EmailField != "email" ||
		u.IDField != "_id" || u.PasswordField != "password" || u.ChangedAtField != "off" ||
		cfg.Hasher.Name != "django_pbkdf2_sha256" || !cfg.DjangoLinks() || cfg.Hasher.DjangoPBKDF2Iterations != 1_000_000 {
		t.Fatalf("USER_SCHEMA=django defaults: %+v, hasher %s, links %s", u, cfg.Hasher.Name, cfg.Django.LinkSignature)
	}

	cfg, err = app.Load(append(slices.Clone(production), "USER_SCHEMA=django", "USERS_COLLECTION=accounts_user",
		"USER_LOGIN_FIELDS=email", "USER_PASSWORD_CHANGED_AT_FIELD=password_changed_at", "PASSWORD_HASHER=django_argon2",
		"LINK_SIGNATURE=pwreset"))
	if err != nil {
		t.Fatal(err)
	}
	u = cfg.Store.Users
	if u.Collection != "accounts_user" || !slices.Equal(u.LoginFields, []string{"email"}) || u.ChangedAtField != "password_changed_at" ||
		cfg.Hasher.Name != "django_argon2" || cfg.DjangoLinks() || u.IDField != "_id" {
		t.Fatalf("overrides not kept: %+v, hasher %s, links %s", u, cfg.Hasher.Name, cfg.Django.LinkSignature)
	}

	// Empty is unset, as for any default.
	cfg, err = app.Load(append(slices.Clone(production), "USER_SCHEMA=django", "USERS_COLLECTION="))
	if err != nil || cfg.Store.Users.Collection != "auth_user" {
		t.Fatalf("USERS_COLLECTION= with USER_SCHEMA=django: %q, %v", cfg.Store.Users.Collection, err)
	}

	// Without the schema, pwreset's own defaults stay.
	cfg, err = app.Load(production)
	if err != nil || cfg.Store.Users.Collection != "users" || cfg.Hasher.Name != "argon2id" || cfg.DjangoLinks() {
		t.Fatalf("defaults changed without USER_SCHEMA: %+v, %v", cfg, err)
	}
}

func TestDjangoProblems(t *testing.T) {
	cases := []struct {
		env  []string
		want []string // nil: accepted
	}{
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32}, nil},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32, "SECRET_KEY_FALLBACKS=" + djangoKey32 + "," + djangoKey32}, nil},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY="}, []string{"SECRET_KEY is required: set it to the SECRET_KEY of the Django back end"}},
		// A short key is guessed offline from one link (issue 18): refused under 32 characters.
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=s"}, []string{"SECRET_KEY has 1 characters; with LINK_SIGNATURE=django it must have at least 32"}},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32[:31]}, []string{"SECRET_KEY has 31 characters"}},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + strings.Repeat("ab", 30)}, []string{"SECRET_KEY has 2 different characters; with LINK_SIGNATURE=django it must have at least 5"}},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32, "SECRET_KEY_FALLBACKS=" + djangoKey32 + ",short"},
			[]string{"SECRET_KEY_FALLBACKS entry 2 has 5 characters"}},
		// An empty key signs links anyone can forge: a stray comma must not add one.
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32, "SECRET_KEY_FALLBACKS=" + djangoKey32 + ",,"},
			[]string{"SECRET_KEY_FALLBACKS entry 2 is empty", "SECRET_KEY_FALLBACKS entry 3 is empty"}},
		{[]string{"SECRET_KEY=short"}, []string{"SECRET_KEY is 5 bytes long; it must be at least 32"}},
		{[]string{"SECRET_KEY_FALLBACKS=short"}, []string{"SECRET_KEY_FALLBACKS entry 1 is shorter than 32 bytes"}},
		{[]string{"LINK_SIGNATURE=itsdangerous"}, []string{`LINK_SIGNATURE "itsdangerous" is not supported`}},
		{[]string{"USER_SCHEMA=rails"}, []string{`USER_SCHEMA "rails" is not supported`}},
		{[]string{"PASSWORD_HASHER=django_md5"}, []string{`PASSWORD_HASHER "django_md5" is not supported: use argon2id, bcrypt, django_pbkdf2_sha256, django_argon2, django_bcrypt_sha256`}},
		{[]string{"PASSWORD_HASHER=django_pbkdf2_sha256", "DJANGO_PBKDF2_ITERATIONS=0"}, []string{"DJANGO_PBKDF2_ITERATIONS is 0"}},
		{[]string{"PASSWORD_HASHER=django_argon2", "DJANGO_ARGON2_PARALLELISM=0", "DJANGO_ARGON2_MEMORY_KIB=4"},
			[]string{"DJANGO_ARGON2_PARALLELISM must be at least 1", "DJANGO_ARGON2_MEMORY_KIB is 4"}},
		{[]string{"PASSWORD_HASHER=django_bcrypt_sha256", "BCRYPT_COST=3"}, []string{"BCRYPT_COST is 3"}},
		{[]string{"PASSWORD_HASHER=django_argon2", "DJANGO_ARGON2_MEMORY_KIB=lots"}, []string{"DJANGO_ARGON2_MEMORY_KIB"}},
		{[]string{"USER_SCHEMA=django", "PASSWORD_HASHER=django_argon2", "DJANGO_PBKDF2_ITERATIONS=0"}, nil}, // not the hasher in use
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.env, " "), func(t *testing.T) {
			wantProblems(t, append(slices.Clone(production), tc.env...), tc.want...)
		})
	}
}

// Django keys of 32 characters (refused below, warned about) and of 50 (Django's own
// length, no warning).
const (
	djangoKey32 = "django-insecure-k3yZ-0123456789x"
	djangoKey50 = "django-insecure-k3yZ-0123456789abcdefghijklmnopqrs"
)

// TestDjangoSigner: LINK_SIGNATURE=django signs as Django does, warns about a key
// Django would warn about, and pwreset's format stays the default.
func TestDjangoSigner(t *testing.T) {
	c := link.Claims{UserID: "7", Timestamp: 1764100000}
	for _, tc := range []struct {
		env      []string
		want     link.Scheme
		warnings int
	}{
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey32}, link.NewDjangoSigner([]byte(djangoKey32), false), 1},
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey50}, link.NewDjangoSigner([]byte(djangoKey50), false), 0},
		// Every short key is named, fallbacks included (only SECRET_KEY was before issue 18).
		{[]string{"LINK_SIGNATURE=django", "SECRET_KEY=" + djangoKey50, "SECRET_KEY_FALLBACKS=" + djangoKey32 + "," + djangoKey50 + "," + djangoKey32},
			link.NewDjangoSigner([]byte(djangoKey50), false), 2},
		{[]string{"SECRET_KEY=" + strings.Repeat("k", 32)}, link.NewSigner([]byte(strings.Repeat("k", 32)), false), 0},
	} {
		cfg, err := app.Load(append(slices.Clone(production), tc.env...))
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		signer := app.ProvideSigner(cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if signer.Sign(c) != tc.want.Sign(c) {
			t.Errorf("%v: signs in another format", tc.env)
		}
		if got := strings.Count(logs.String(), "security.W009"); got != tc.warnings {
			t.Errorf("%v: %d warnings, want %d: %s", tc.env, got, tc.warnings, logs.String())
		}
		if strings.Contains(logs.String(), "k3yZ") || strings.Contains(logs.String(), djangoKey32) {
			t.Errorf("the key is in the log: %s", logs.String())
		}
	}
}

// TestDjangoHashers: each Django hasher name gives hashes of its format.
func TestDjangoHashers(t *testing.T) {
	for name, prefix := range map[string]string{
		"django_pbkdf2_sha256": "pbkdf2_sha256$1000$",
		"django_argon2":        "argon2$argon2id$v=19$m=64,t=1,p=1$",
		"django_bcrypt_sha256": "bcrypt_sha256$$2b$04$",
	} {
		cfg, err := app.Load(append(slices.Clone(production), "PASSWORD_HASHER="+name, "DJANGO_PBKDF2_ITERATIONS=1000",
			"DJANGO_ARGON2_MEMORY_KIB=64", "DJANGO_ARGON2_ITERATIONS=1", "DJANGO_ARGON2_PARALLELISM=1", "BCRYPT_COST=4"))
		if err != nil {
			t.Fatal(err)
		}
		h := app.ProvideHasher(cfg, prometheus.New())
		hash, err := h.Hash("pw")
		if err != nil || !strings.HasPrefix(hash, prefix) {
			t.Errorf("%s: Hash = %s, %v; want the prefix %s", name, hash, err, prefix)
		}
		if ok, err := h.Verify(hash, "pw"); !ok || err != nil {
			t.Errorf("%s: Verify = %v, %v", name, ok, err)
		}
	}
}
