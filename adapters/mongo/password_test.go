package mongo_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// teamDoc is a user document with fields the store must never touch.
func teamDoc(id any) bson.D {
	return bson.D{
		{Key: "_id", Value: id},
		{Key: "username", Value: "dora"},
		{Key: "email", Value: "dora@example.com"},
		{Key: "password", Value: "old"},
		{Key: "roles", Value: bson.A{"admin", "dev"}},
		{Key: "profile", Value: bson.D{{Key: "name", Value: "Dora"}, {Key: "age", Value: int32(41)}}},
		{Key: "createdAt", Value: bson.NewDateTimeFromTime(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))},
	}
}

// TestSetPasswordWritesOnlyItsFields: the hash (and the changed-at field when one
// is configured) change; every other field keeps its value and type.
func TestSetPasswordWritesOnlyItsFields(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 30, 45, 123_000_000, time.UTC)
	for _, changedAtField := range []string{"", "passwordChangedAt"} {
		t.Run("changedAt="+changedAtField, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			oid := bson.NewObjectID()
			insert(t, db, teamDoc(oid))
			before := rawUser(t, db, oid)
			store := mongo.NewUserStore(db, mongo.UserMapping{PasswordChangedAtField: changedAtField})

			change := ports.PasswordChange{UserID: oid.Hex(), OldHash: "old", NewHash: "new", ChangedAt: at}
			if err := store.SetPassword(testCtx(t), change); err != nil {
				t.Fatalf("SetPassword: %v", err)
			}
			after := rawUser(t, db, oid)
			if after["password"] != "new" {
				t.Errorf("password = %v, want new", after["password"])
			}
			if changedAtField == "" {
				if len(after) != len(before) {
					t.Errorf("fields after = %v, want those of %v", after, before)
				}
			} else if got, _ := after[changedAtField].(bson.DateTime); !got.Time().Equal(at) {
				t.Errorf("%s = %v, want %v", changedAtField, after[changedAtField], at)
			}
			delete(after, "password")
			delete(after, changedAtField)
			delete(before, "password")
			if !reflect.DeepEqual(after, before) {
				t.Errorf("other fields changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestSetPasswordOfUserWithoutHash: a user whose password field is missing reads
// with hash "", and that "" is what a compare-and-set must be given.
func TestSetPasswordOfUserWithoutHash(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db, bson.D{{Key: "_id", Value: "nohash"}, {Key: "username", Value: "n"}})
	store := mongo.NewUserStore(db, mongo.UserMapping{})
	err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "nohash", OldHash: "x", NewHash: "h"})
	if !errors.Is(err, ports.ErrPasswordChanged) {
		t.Fatalf("SetPassword with a wrong old hash: got %v, want ErrPasswordChanged", err)
	}
	if err = store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "nohash", NewHash: "h"}); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if u, err := store.FindByID(testCtx(t), "nohash"); err != nil || u.PasswordHash != "h" {
		t.Fatalf("after SetPassword: got %+v, %v", u, err)
	}
}

// TestSetPasswordByCustomIDField: the id lives in a field of the team's; MongoDB's
// own _id plays no part, and an id of the wrong type matches nobody.
func TestSetPasswordByCustomIDField(t *testing.T) {
	db := mongotest.NewDatabase(t)
	oid := bson.NewObjectID()
	insert(t, db, append(teamDoc(oid), bson.E{Key: "uid", Value: int32(77)}))
	store := mongo.NewUserStore(db, mongo.UserMapping{IDField: "uid"})
	for _, id := range []string{oid.Hex(), "077", ""} {
		err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: id, OldHash: "old", NewHash: "x"})
		if !errors.Is(err, ports.ErrUserNotFound) {
			t.Errorf("SetPassword(%q): got %v, want ErrUserNotFound", id, err)
		}
	}
	if err := store.SetPassword(testCtx(t), ports.PasswordChange{UserID: "77", OldHash: "old", NewHash: "new"}); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if got := rawUser(t, db, oid)["password"]; got != "new" {
		t.Fatalf("password = %v, want new", got)
	}
}

// TestNoIndexCreated: the collection belongs to the team; using it adds no index.
func TestNoIndexCreated(t *testing.T) {
	db := mongotest.NewDatabase(t)
	oid := bson.NewObjectID()
	insert(t, db, teamDoc(oid))
	store := mongo.NewUserStore(db, mongo.UserMapping{PasswordChangedAtField: "changedAt"})
	ctx := testCtx(t)
	_, _ = store.FindByLogin(ctx, "dora")
	_, _ = store.FindByEmail(ctx, "dora@example.com")
	_, _ = store.FindByID(ctx, oid.Hex())
	if err := store.SetPassword(ctx, ports.PasswordChange{UserID: oid.Hex(), OldHash: "old", NewHash: "n"}); err != nil {
		t.Fatal(err)
	}
	specs, err := db.Collection("users").Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 1 || specs[0].Name != "_id_" {
		t.Fatalf("indexes = %+v, want only _id_", specs)
	}
}

// TestSetPasswordExactID: the update names the user by the id exactly as stored,
// whatever its type, never by $in over the forms the id could take: a sharded
// users collection (before MongoDB 7.1) refuses that (issue 8, item 9).
func TestSetPasswordExactID(t *testing.T) {
	oid := bson.NewObjectID()
	for name, id := range map[string]any{"ObjectId": oid, "int64": int64(42), "int32": int32(43), "string": "s-44"} {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			insert(t, db, teamDoc(id))
			wdb, log := watched(t, db)
			text := map[string]string{"ObjectId": oid.Hex(), "int64": "42", "int32": "43", "string": "s-44"}[name]
			err := mongo.NewUserStore(wdb, mongo.UserMapping{}).SetPassword(testCtx(t),
				ports.PasswordChange{UserID: text, OldHash: "old", NewHash: "new"})
			if err != nil {
				t.Fatal(err)
			}
			updates := 0
			for _, cmd := range log.take() {
				if coll, _ := cmd.Lookup("update").StringValueOK(); coll != "users" {
					continue
				}
				updates++
				q := cmd.Lookup("updates", "0", "q", "_id")
				if q.Type != bson.TypeObjectID && q.Type != bson.TypeInt64 && q.Type != bson.TypeInt32 && q.Type != bson.TypeString {
					t.Errorf("update filtered on _id %s, want the stored id", q)
				}
			}
			if updates != 1 || rawUser(t, db, id)["password"] != "new" {
				t.Fatalf("%d updates, password %v; want one, and the new hash", updates, rawUser(t, db, id)["password"])
			}
		})
	}
}
