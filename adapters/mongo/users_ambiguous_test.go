package mongo_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestFindByIDAmbiguous reproduces issue 18, item 3: one id text that names two
// accounts, the integer 123 (a victim) and the string "123" (an attacker), or an
// ObjectId and its 24-hex string. A link must name exactly one stored account,
// so FindByID refuses such an id (ErrUserNotFound: the link is no good) and logs
// it without the accounts' logins or addresses; the reset cannot go on to
// either account. An id that names one account is still found. Failed before:
// FindByID returned one of the two, and a link of the attacker's reset the
// victim's password.
func TestFindByIDAmbiguous(t *testing.T) {
	oid := bson.NewObjectID()
	// In a team's id field of its own ("uid") where _id cannot hold both: FerretDB
	// takes an ObjectId and its hex for the same _id; no _id holds a value twice.
	cases := map[string]struct {
		text, idField string
		victim, other any
	}{
		"integer and string":     {"123", "_id", int64(123), "123"},
		"int32 and string":       {"77", "_id", int32(77), "77"},
		"ObjectId and hex":       {oid.Hex(), "uid", oid, oid.Hex()},
		"string and ObjectId":    {oid.Hex(), "uid", oid.Hex(), oid},
		"same value in id field": {"42", "uid", int64(42), int64(42)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			idField := c.idField
			db := mongotest.NewDatabase(t)
			for i, id := range []any{c.victim, c.other} {
				doc := bson.D{{Key: idField, Value: id}, {Key: "username", Value: []string{"victim", "attacker"}[i]},
					{Key: "email", Value: []string{"victim@example.com", "attacker@example.org"}[i]}, {Key: "password", Value: "h"}}
				if idField != "_id" {
					doc = append(bson.D{{Key: "_id", Value: bson.NewObjectID()}}, doc...)
				}
				insert(t, db, doc)
			}
			var logged bytes.Buffer
			store := mongo.NewUserStore(db, mongo.UserMapping{IDField: idField,
				Logger: slog.New(slog.NewTextHandler(&logged, nil))})
			u, err := store.FindByID(testCtx(t), c.text)
			if !errors.Is(err, ports.ErrUserNotFound) {
				t.Fatalf("FindByID(%q) with two accounts of that id = %+v, %v; want ErrUserNotFound", c.text, u, err)
			}
			line := logged.String()
			if !strings.Contains(line, "more than one account") {
				t.Errorf("no warning logged: %q", line)
			}
			for _, secret := range []string{"victim", "attacker", "example."} {
				if strings.Contains(line, secret) {
					t.Errorf("the warning names the accounts (%q): %s", secret, line)
				}
			}
			if err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: c.text, OldHash: "x", NewHash: "n"}); err == nil {
				t.Errorf("SetPassword with a hash neither account has succeeded")
			}
		})
	}
	t.Run("one account", func(t *testing.T) {
		db := mongotest.NewDatabase(t)
		insert(t, db, bson.D{{Key: "_id", Value: int64(123)}, {Key: "username", Value: "only"}},
			bson.D{{Key: "_id", Value: "1234"}, {Key: "username", Value: "other"}})
		u, err := mongo.NewUserStore(db, mongo.UserMapping{}).FindByID(testCtx(t), "123")
		if err != nil || u.ID != "123" || u.Logins[0].Value != "only" {
			t.Fatalf("FindByID(123) = %+v, %v; want the one account", u, err)
		}
	})
}
