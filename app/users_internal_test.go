package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// TestWarnDuplicateEmails: a start-up warning names the field and how many
// addresses are shared, never an address, when links are asked for by address
// (or the address is a login field); nothing otherwise. It sees through the store
// wrapper of RESET_PASSWORD_ACTIVE_USERS_ONLY.
func TestWarnDuplicateEmails(t *testing.T) {
	shared := memory.NewUserStore([]string{"username"},
		ports.User{ID: "1", Email: "ann@example.com"}, ports.User{ID: "2", Email: "ann@example.com"},
		ports.User{ID: "3", Email: "bob@example.com"})
	unique := memory.NewUserStore([]string{"username"}, ports.User{ID: "1", Email: "ann@example.com"})
	byEmail := Config{Reset: ResetSettings{UseEmail: true}, Store: StoreSettings{Users: UserMapping{LoginFields: []string{"username"}, EmailField: "email"}}}
	emailLogin := Config{Store: StoreSettings{Users: UserMapping{LoginFields: []string{"username", "email"}, EmailField: "email"}}}
	byLogin := Config{Store: StoreSettings{Users: UserMapping{LoginFields: []string{"username"}, EmailField: "email"}}}
	activeOnly := byEmail
	activeOnly.Reset.ActiveUsersOnly = true
	tests := []struct {
		name  string
		cfg   Config
		users ports.UserStore
		warn  bool
	}{
		{"by e-mail, shared", byEmail, shared, true},
		{"e-mail a login field, shared", emailLogin, shared, true},
		{"active users only, shared", activeOnly, withPolicy(activeOnly, shared), true},
		{"by e-mail, unique", byEmail, unique, false},
		{"by login only, shared", byLogin, shared, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			a := &App{cfg: tt.cfg, log: slog.New(slog.NewTextHandler(&log, nil)), users: tt.users}
			a.warnDuplicateEmails(context.Background())
			got := log.String()
			if warned := strings.Contains(got, "several users share an e-mail address"); warned != tt.warn {
				t.Fatalf("warned %v, want %v: %q", warned, tt.warn, got)
			}
			if tt.warn && (!strings.Contains(got, "field=email") || !strings.Contains(got, "shared_addresses=1") || strings.Contains(got, "ann@")) {
				t.Errorf("warning %q: want the field and the count, no address", got)
			}
		})
	}
}

// TestDjangoNameFields: USER_SCHEMA=django reads first_name, last_name and
// is_active on both databases; "off" leaves each unread, where an empty value
// would take the schema's default.
func TestDjangoNameFields(t *testing.T) {
	for _, db := range []string{"DATABASE_URL=postgres://pwreset@db.internal/shop", "MONGODB_URI=mongodb://db.internal"} {
		base := []string{db, "USER_SCHEMA=django", "SECRET_KEY=" + strings.Repeat("django-key-", 5), "SENDGRID_API_KEY=SG.x",
			"RESET_PASSWORD_VERIFICATION_URL=https://shop.example/r/", "VERIFICATION_FROM_EMAIL=noreply@shop.example"}
		cfg, err := Load(base)
		if err != nil {
			t.Fatal(err)
		}
		if m := postgresMapping(cfg); m.FirstNameColumn != "first_name" || m.LastNameColumn != "last_name" || m.ActiveColumn != "is_active" {
			t.Errorf("%s: %+v", db, m)
		}
		cfg, err = Load(append(base, "USER_FIRST_NAME_FIELD=off", "USER_LAST_NAME_FIELD=off", "USER_ACTIVE_FIELD=off", "USER_LAST_NAME_FIELD="))
		if err != nil {
			t.Fatal(err)
		}
		if m := postgresMapping(cfg); m.FirstNameColumn != "" || m.LastNameColumn != "last_name" || m.ActiveColumn != "" {
			t.Errorf("%s with off (and an empty last name, which takes the default): %+v", db, m)
		}
	}
}
