package mongo_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/ports"
	"github.com/pwreset/pwreset/ports/contract"
)

// testCtx bounds each test's calls, so that a hung server fails the test instead
// of the whole run.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// contractMapping is the mapping the contract suite expects, with idField as the
// verification id.
func contractMapping(idField string) mongo.UserMapping {
	return mongo.UserMapping{
		Collection:    "users",
		LoginFields:   contract.LoginFields,
		EmailField:    contract.EmailField,
		IDField:       idField,
		PasswordField: "password",
		LanguageField: contract.LanguageField,
	}
}

// idValue stores a ports.User.ID in its natural BSON type: ObjectId for 24 hex
// digits, int64 for a decimal integer, a string otherwise.
func idValue(id string) any {
	if oid, err := bson.ObjectIDFromHex(id); err == nil && oid.Hex() == id {
		return oid
	}
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && strconv.FormatInt(n, 10) == id {
		return n
	}
	return id
}

// userDoc is the document a team would hold for u. With a custom idField, MongoDB's
// own _id is a fresh ObjectId that has nothing to do with the user's id.
func userDoc(u ports.User, idField string) bson.D {
	doc := bson.D{{Key: idField, Value: idValue(u.ID)}}
	if idField != "_id" {
		doc = append(bson.D{{Key: "_id", Value: bson.NewObjectID()}}, doc...)
	}
	for _, l := range u.Logins {
		doc = append(doc, bson.E{Key: l.Name, Value: l.Value})
	}
	if u.Email != "" {
		doc = append(doc, bson.E{Key: contract.EmailField, Value: u.Email})
	}
	if u.Language != "" {
		doc = append(doc, bson.E{Key: contract.LanguageField, Value: u.Language})
	}
	return append(doc, bson.E{Key: "password", Value: u.PasswordHash})
}

// insert stores docs in the users collection of db.
func insert(t *testing.T, db *driver.Database, docs ...bson.D) {
	t.Helper()
	if len(docs) == 0 {
		return
	}
	if _, err := db.Collection("users").InsertMany(testCtx(t), docs); err != nil {
		t.Fatalf("insert users: %v", err)
	}
}

// rawUser reads a user's whole document by MongoDB's _id.
func rawUser(t *testing.T, db *driver.Database, id any) bson.M {
	t.Helper()
	var doc bson.M
	if err := db.Collection("users").FindOne(testCtx(t), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatalf("read user %v: %v", id, err)
	}
	return doc
}
