// Package contract holds the behaviour every adapter of a port must show, as test
// suites that each adapter's tests run against its own implementation (in memory,
// MongoDB, ...), the way go-cloud runs one conformance suite against every driver.
package contract

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// LoginFields and EmailField are the mapping a store under test must be configured with.
var LoginFields = []string{"username", "alias"}

// EmailField is the e-mail field a store under test must be configured with.
const EmailField = "email"

// LanguageField is the language field (USER_LANGUAGE_FIELD) a store under test must
// be configured with, where it maps fields.
const LanguageField = "language"

// NewUserStore returns a fresh store holding exactly users. User.ID comes in three
// forms: 24 hex digits (an ObjectId where the store has such a type), decimal digits
// (an integer) and anything else (a string); a store keeps each in its natural type.
type NewUserStore func(t *testing.T, users []ports.User) ports.UserStore

// Users the suite seeds every store with.
var (
	alice = ports.User{ID: "65a1b2c3d4e5f60718293a4b", Email: "alice@example.com", PasswordHash: "hash-a", Language: "de",
		Logins: []ports.Field{{Name: "username", Value: "alice"}, {Name: "alias", Value: "ally"}}}
	bob = ports.User{ID: "42", Email: "bob@example.com", PasswordHash: "hash-b",
		Logins: []ports.Field{{Name: "username", Value: "bob"}, {Name: "alias", Value: "alice@example.com"}}}
	carol = ports.User{ID: "user-carol", PasswordHash: "hash-c",
		Logins: []ports.Field{{Name: "username", Value: "ally"}}} // no e-mail; her username is alice's alias
	seed = []ports.User{alice, bob, carol}
)

// TestUserStore runs the UserStore contract against the stores newStore makes.
func TestUserStore(t *testing.T, newStore NewUserStore) {
	t.Run("FindByLogin", func(t *testing.T) { testFindByLogin(t, newStore(t, seed)) })
	t.Run("FindByEmail", func(t *testing.T) { testFindByEmail(t, newStore(t, seed)) })
	t.Run("FindByID", func(t *testing.T) { testFindByID(t, newStore(t, seed)) })
	t.Run("SetPassword", func(t *testing.T) { testSetPassword(t, newStore(t, seed)) })
	t.Run("SetPasswordRace", func(t *testing.T) { testSetPasswordRace(t, newStore(t, seed)) })
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func testFindByLogin(t *testing.T, s ports.UserStore) {
	cases := []struct {
		login string
		want  *ports.User
	}{
		{"alice", &alice},
		{"bob", &bob},
		{"ally", &carol},            // the first login field wins over the second
		{"alice@example.com", &bob}, // matched in the second login field
		{"Alice", nil},              // exact match only
		{"ali", nil},                // no prefix match
		{"", nil},                   // nothing matches the empty string
		{"bob@example.com", nil},    // e-mail is not a login field here
		{`{"$ne": null}`, nil},      // values are never interpreted
	}
	for _, c := range cases {
		t.Run(c.login, func(t *testing.T) {
			got, err := s.FindByLogin(ctx(t), c.login)
			expect(t, got, err, c.want)
		})
	}
}

func testFindByEmail(t *testing.T, s ports.UserStore) {
	cases := []struct {
		email string
		want  *ports.User
	}{
		{"alice@example.com", &alice},
		{"bob@example.com", &bob},
		{"ALICE@example.com", nil},
		{"", nil}, // carol has no e-mail and must not match
		{"alice", nil},
	}
	for _, c := range cases {
		t.Run(c.email, func(t *testing.T) {
			got, err := s.FindByEmail(ctx(t), c.email)
			expect(t, got, err, c.want)
		})
	}
}

func testFindByID(t *testing.T, s ports.UserStore) {
	cases := []struct {
		id   string
		want *ports.User
	}{
		{alice.ID, &alice},
		{bob.ID, &bob},
		{carol.ID, &carol},
		{"65a1b2c3d4e5f60718293a4c", nil}, // a well-formed ObjectId nobody has
		{"43", nil},
		{"", nil},
		{"not-an-id", nil},
		{"0x2a", nil},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			got, err := s.FindByID(ctx(t), c.id)
			expect(t, got, err, c.want)
		})
	}
}

func testSetPassword(t *testing.T, s ports.UserStore) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	change := ports.PasswordChange{UserID: bob.ID, OldHash: bob.PasswordHash, NewHash: "hash-b2", ChangedAt: at}
	if err := s.SetPassword(ctx(t), change); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	assertHash(t, s, bob.ID, "hash-b2")
	// The old hash is no longer stored: the same change is refused and changes nothing.
	change.NewHash = "hash-b3"
	if err := s.SetPassword(ctx(t), change); !errors.Is(err, ports.ErrPasswordChanged) {
		t.Fatalf("stale SetPassword: got %v, want ErrPasswordChanged", err)
	}
	assertHash(t, s, bob.ID, "hash-b2")
	assertHash(t, s, alice.ID, alice.PasswordHash) // others untouched
	unknown := ports.PasswordChange{UserID: "43", OldHash: "x", NewHash: "y", ChangedAt: at}
	if err := s.SetPassword(ctx(t), unknown); !errors.Is(err, ports.ErrUserNotFound) {
		t.Fatalf("SetPassword of unknown user: got %v, want ErrUserNotFound", err)
	}
}

// testSetPasswordRace: of many writers holding the same old hash, exactly one wins.
func testSetPasswordRace(t *testing.T, s ports.UserStore) {
	RaceSetPassword(t, s, alice.ID, alice.PasswordHash, 8)
}

// RaceSetPassword has writers change the password of userID at once, all holding
// oldHash, and fails the test unless exactly one wins and the others are told
// ErrPasswordChanged. Adapter tests use it for races of their own making.
func RaceSetPassword(t *testing.T, s ports.UserStore, userID, oldHash string, writers int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.SetPassword(ctx(t), ports.PasswordChange{UserID: userID, OldHash: oldHash,
				NewHash: fmt.Sprint("new-hash-", i), ChangedAt: time.Now()})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ports.ErrPasswordChanged):
			t.Errorf("losing writer: got %v, want ErrPasswordChanged", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers succeeded, want exactly 1", won)
	}
}

func assertHash(t *testing.T, s ports.UserStore, id, want string) {
	t.Helper()
	u, err := s.FindByID(ctx(t), id)
	if err != nil {
		t.Fatalf("FindByID(%q): %v", id, err)
	}
	if u.PasswordHash != want {
		t.Fatalf("hash of %q = %q, want %q", id, u.PasswordHash, want)
	}
}

func expect(t *testing.T, got ports.User, err error, want *ports.User) {
	t.Helper()
	if want == nil {
		if !errors.Is(err, ports.ErrUserNotFound) {
			t.Fatalf("got user %+v, err %v; want ErrUserNotFound", got, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("got err %v, want user %s", err, want.ID)
	}
	if !equalUser(got, *want) {
		t.Fatalf("got %+v, want %+v", got, *want)
	}
}

func equalUser(a, b ports.User) bool {
	if a.ID != b.ID || a.Email != b.Email || a.PasswordHash != b.PasswordHash || a.Language != b.Language ||
		len(a.Logins) != len(b.Logins) {
		return false
	}
	for i := range a.Logins {
		if a.Logins[i] != b.Logins[i] {
			return false
		}
	}
	return true
}
