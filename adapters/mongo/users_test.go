package mongo_test

import (
	"errors"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestIDTypes: every id type a team may use reads back as User.ID text, and that
// text finds the same user again; other spellings of it find nobody.
func TestIDTypes(t *testing.T) {
	oid := bson.NewObjectID()
	cases := []struct {
		name  string
		id    any
		want  string
		other []string // spellings that must not match
	}{
		{"ObjectId", oid, oid.Hex(), []string{bson.NewObjectID().Hex()}},
		{"string", "u-7f", "u-7f", []string{"U-7F", "u-7"}},
		{"hex string", "65a1b2c3d4e5f60718293a4b", "65a1b2c3d4e5f60718293a4b", nil},
		{"int32", int32(7), "7", []string{"07", "+7", "7.0", " 7"}},
		{"int64", int64(1) << 40, "1099511627776", nil},
		{"negative int64", int64(-12), "-12", []string{"12"}},
		{"integral double", float64(9), "9", []string{"9.0"}},
	}
	db := mongotest.NewDatabase(t)
	for i, c := range cases {
		insert(t, db, bson.D{{Key: "_id", Value: c.id}, {Key: "username", Value: c.name}, {Key: "n", Value: i}})
	}
	store := mongo.NewUserStore(db, mongo.UserMapping{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := store.FindByLogin(testCtx(t), c.name)
			if err != nil || u.ID != c.want {
				t.Fatalf("FindByLogin: got ID %q, err %v; want ID %q", u.ID, err, c.want)
			}
			u, err = store.FindByID(testCtx(t), c.want)
			if err != nil || u.Logins[0].Value != c.name {
				t.Fatalf("FindByID(%q): got %+v, err %v; want user %q", c.want, u, err, c.name)
			}
			for _, id := range c.other {
				if _, err := store.FindByID(testCtx(t), id); !errors.Is(err, ports.ErrUserNotFound) {
					t.Errorf("FindByID(%q): got err %v, want ErrUserNotFound", id, err)
				}
			}
		})
	}
}

// TestUnsupportedID: a user whose id cannot travel in a link is an error, never a
// user with a made-up ID, and never "not found" (the account exists).
func TestUnsupportedID(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: 2.5}, {Key: "username", Value: "fraction"}},
		bson.D{{Key: "_id", Value: true}, {Key: "username", Value: "bool"}},
	)
	store := mongo.NewUserStore(db, mongo.UserMapping{})
	for _, login := range []string{"fraction", "bool"} {
		_, err := store.FindByLogin(testCtx(t), login)
		if err == nil || errors.Is(err, ports.ErrUserNotFound) || errors.Is(err, ports.ErrUnavailable) {
			t.Errorf("FindByLogin(%q): got err %v, want an id type error", login, err)
		}
	}
}

// TestFieldsThatAreNotStrings: e-mail and logins are read only when they are
// strings, and a value of another type is never matched by the same text.
func TestFieldsThatAreNotStrings(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: 1}, {Key: "username", Value: "noemail"}, {Key: "password", Value: "h1"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "username", Value: "nullemail"}, {Key: "email", Value: nil}},
		bson.D{{Key: "_id", Value: 3}, {Key: "username", Value: 12345}, {Key: "alias", Value: "num"}, {Key: "email", Value: 42}},
		bson.D{{Key: "_id", Value: 4}, {Key: "username", Value: bson.A{"arr", "x"}}, {Key: "email", Value: bson.A{"a@x.org"}}},
	)
	store := mongo.NewUserStore(db, mongo.UserMapping{LoginFields: []string{"username", "alias"}})

	u, err := store.FindByLogin(testCtx(t), "noemail")
	if err != nil || u.Email != "" || u.PasswordHash != "h1" {
		t.Errorf("user without e-mail: got %+v, %v", u, err)
	}
	u, err = store.FindByLogin(testCtx(t), "nullemail")
	if err != nil || u.Email != "" || u.PasswordHash != "" {
		t.Errorf("user with null e-mail and no password: got %+v, %v", u, err)
	}
	u, err = store.FindByLogin(testCtx(t), "num")
	want := []ports.Field{{Name: "alias", Value: "num"}} // the numeric username is left out
	if err != nil || u.ID != "3" || u.Email != "" || !slices.Equal(u.Logins, want) {
		t.Errorf("user with numeric username and e-mail: got %+v, %v", u, err)
	}
	for _, login := range []string{"12345", "arr"} {
		if _, err := store.FindByLogin(testCtx(t), login); !errors.Is(err, ports.ErrUserNotFound) {
			t.Errorf("FindByLogin(%q): got %v, want ErrUserNotFound", login, err)
		}
	}
	for _, email := range []string{"42", "a@x.org", ""} {
		if _, err := store.FindByEmail(testCtx(t), email); !errors.Is(err, ports.ErrUserNotFound) {
			t.Errorf("FindByEmail(%q): got %v, want ErrUserNotFound", email, err)
		}
	}
}

// TestLoginFieldOrder: with three login fields, the earliest field that matches
// wins, whatever the order of the documents; Logins follow the configured order.
func TestLoginFieldOrder(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: 1}, {Key: "phone", Value: "same"}, {Key: "username", Value: "u1"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "alias", Value: "same"}, {Key: "username", Value: "u2"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "phone", Value: "p3"}, {Key: "alias", Value: "a3"}, {Key: "username", Value: "u3"}},
	)
	store := mongo.NewUserStore(db, mongo.UserMapping{LoginFields: []string{"username", "alias", "phone"}})
	cases := map[string]string{"same": "2", "p3": "3", "a3": "3", "u1": "1"}
	for login, wantID := range cases {
		u, err := store.FindByLogin(testCtx(t), login)
		if err != nil || u.ID != wantID {
			t.Errorf("FindByLogin(%q): got %q, %v; want %q", login, u.ID, err, wantID)
		}
	}
	u, _ := store.FindByLogin(testCtx(t), "p3")
	want := []ports.Field{{Name: "username", Value: "u3"}, {Name: "alias", Value: "a3"}, {Name: "phone", Value: "p3"}}
	if !slices.Equal(u.Logins, want) {
		t.Errorf("Logins = %v, want %v", u.Logins, want)
	}
}

// TestNestedFields: mapped fields may be dotted paths into embedded documents.
func TestNestedFields(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, bson.D{{Key: "_id", Value: "n1"}, {Key: "profile", Value: bson.D{
		{Key: "login", Value: "nested"}, {Key: "email", Value: "n@example.org"}}},
		{Key: "auth", Value: bson.D{{Key: "hash", Value: "h"}}}})
	store := mongo.NewUserStore(db, mongo.UserMapping{LoginFields: []string{"profile.login"},
		EmailField: "profile.email", PasswordField: "auth.hash"})
	u, err := store.FindByEmail(testCtx(t), "n@example.org")
	want := ports.User{ID: "n1", Email: "n@example.org", PasswordHash: "h",
		Logins: []ports.Field{{Name: "profile.login", Value: "nested"}}}
	if err != nil || u.ID != want.ID || u.Email != want.Email || u.PasswordHash != want.PasswordHash ||
		!slices.Equal(u.Logins, want.Logins) {
		t.Fatalf("got %+v, %v; want %+v", u, err, want)
	}
}

// TestProfileFields: first and last name are read where the mapping names them
// (strings only), and is_active false marks a user Inactive; a missing or
// non-boolean is_active does not. Unmapped, none of them is read.
func TestProfileFields(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: 1}, {Key: "username", Value: "kathrin"}, {Key: "first_name", Value: "Kathrin"},
			{Key: "last_name", Value: "Oberhauser"}, {Key: "is_active", Value: false}},
		bson.D{{Key: "_id", Value: 2}, {Key: "username", Value: "bob"}, {Key: "first_name", Value: 7},
			{Key: "is_active", Value: true}},
		bson.D{{Key: "_id", Value: 3}, {Key: "username", Value: "carol"}, {Key: "is_active", Value: "no"}},
	)
	mapped := mongo.NewUserStore(db, mongo.UserMapping{FirstNameField: "first_name", LastNameField: "last_name", ActiveField: "is_active"})
	plain := mongo.NewUserStore(db, mongo.UserMapping{})
	for _, tt := range []struct {
		store       *mongo.UserStore
		login       string
		first, last string
		inactive    bool
	}{
		{mapped, "kathrin", "Kathrin", "Oberhauser", true},
		{mapped, "bob", "", "", false},
		{mapped, "carol", "", "", false},
		{plain, "kathrin", "", "", false},
	} {
		u, err := tt.store.FindByLogin(testCtx(t), tt.login)
		if err != nil || u.FirstName != tt.first || u.LastName != tt.last || u.Inactive != tt.inactive {
			t.Errorf("FindByLogin(%q) = %+v, %v; want names %q %q, inactive %v", tt.login, u, err, tt.first, tt.last, tt.inactive)
		}
	}
	if u, err := mapped.FindByID(testCtx(t), "1"); err != nil || u.LastName != "Oberhauser" || !u.Inactive {
		t.Errorf("FindByID(1) = %+v, %v", u, err)
	}
}

// TestDuplicateEmails counts the addresses several users share; empty and
// non-string addresses are no address.
func TestDuplicateEmails(t *testing.T) {
	db := mongotest.NewDatabase(t)
	store := mongo.NewUserStore(db, mongo.UserMapping{})
	if n, err := store.DuplicateEmails(testCtx(t)); err != nil || n != 0 {
		t.Fatalf("empty collection: %d, %v", n, err)
	}
	insert(t, db,
		bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "a@example.com"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "email", Value: "a@example.com"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "email", Value: "a@example.com"}},
		bson.D{{Key: "_id", Value: 4}, {Key: "email", Value: "b@example.com"}},
		bson.D{{Key: "_id", Value: 5}, {Key: "email", Value: "B@example.com"}},
		bson.D{{Key: "_id", Value: 6}, {Key: "email", Value: "c@example.com"}},
		bson.D{{Key: "_id", Value: 7}, {Key: "email", Value: "c@example.com"}},
		bson.D{{Key: "_id", Value: 8}, {Key: "email", Value: ""}},
		bson.D{{Key: "_id", Value: 9}, {Key: "email", Value: ""}},
		bson.D{{Key: "_id", Value: 10}, {Key: "email", Value: 42}},
		bson.D{{Key: "_id", Value: 11}, {Key: "email", Value: 42}},
		bson.D{{Key: "_id", Value: 12}},
		bson.D{{Key: "_id", Value: 13}},
	)
	if n, err := store.DuplicateEmails(testCtx(t)); err != nil || n != 2 {
		t.Errorf("DuplicateEmails = %d, %v; want 2 (a@ three times, c@ twice)", n, err)
	}
}
