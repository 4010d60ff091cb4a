package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/ports"
)

// TestDemoUsers: DEMO_USERS=N seeds user1..userN beside the demo user, each found
// by login, e-mail and id, with DemoUsersPassword.
func TestDemoUsers(t *testing.T) {
	cfg, err := Load([]string{"DEMO_USERS=3", "USER_LOGIN_FIELDS=username,email"})
	if err != nil {
		t.Fatal(err)
	}
	hasher := argon2.NewHasher(argon2.Params{Memory: 64, Iterations: 1, Parallelism: 1})
	users, err := demoUsers(cfg, hasher)
	if err != nil {
		t.Fatal(err)
	}
	store := memory.NewStores(memory.Config{LoginFields: cfg.Store.Users.LoginFields, Users: users}).Users
	ctx := context.Background()
	for _, name := range []string{"user1", "user3"} {
		u, err := store.FindByLogin(ctx, name)
		if err != nil || u.ID != name || u.Email != name+"@example.com" ||
			!slices.Contains(u.Logins, ports.Field{Name: "email", Value: name}) {
			t.Fatalf("FindByLogin(%s) = %+v, %v", name, u, err)
		}
		if ok, err := hasher.Verify(u.PasswordHash, DemoUsersPassword); !ok || err != nil {
			t.Fatalf("%s's password is not DemoUsersPassword: %v, %v", name, ok, err)
		}
		if _, err := store.FindByEmail(ctx, name+"@example.com"); err != nil {
			t.Fatalf("FindByEmail(%s): %v", name, err)
		}
	}
	for _, missing := range []string{"user0", "user4"} {
		if _, err := store.FindByID(ctx, missing); err == nil {
			t.Fatalf("FindByID(%s) found a user; want only user1..user3", missing)
		}
	}
	if _, err := store.FindByLogin(ctx, "demo"); err != nil {
		t.Fatalf("the demo user is gone: %v", err)
	}
}

// TestDemoUsersProblems: DEMO_USERS out of range, or outside demo mode, is refused.
func TestDemoUsersProblems(t *testing.T) {
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"DEMO_USERS=-1"}, "DEMO_USERS must be between 0 and 1000000, not -1"},
		{[]string{"DEMO_USERS=1000001"}, "DEMO_USERS must be between 0 and 1000000"},
		{[]string{"DEMO_USERS=many"}, "DEMO_USERS"},
		{[]string{"DEMO_USERS=5", "MONGODB_URI=mongodb://db/", "SECRET_KEY=0123456789abcdef0123456789abcdef",
			"RESET_PASSWORD_VERIFICATION_URL=https://f/r/", "VERIFICATION_FROM_EMAIL=a@b.c", "SENDGRID_API_KEY=k"},
			"DEMO_USERS seeds demo mode only"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			_, err := Load(c.env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load(%v) = %v; want an error with %q", c.env, err, c.want)
			}
		})
	}
}
