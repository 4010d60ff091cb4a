package mongo_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// TestLanguageField: the user's language is read from USER_LANGUAGE_FIELD only when
// it is set, from a dotted path too, and only when it is a string.
func TestLanguageField(t *testing.T) {
	db := mongotest.NewDatabase(t)
	insert(t, db,
		bson.D{{Key: "_id", Value: "u1"}, {Key: "username", Value: "flat"}, {Key: "lang", Value: "de"},
			{Key: "profile", Value: bson.D{{Key: "locale", Value: "fr-CA"}}}},
		bson.D{{Key: "_id", Value: "u2"}, {Key: "username", Value: "number"}, {Key: "lang", Value: 7}})
	tests := []struct {
		name, field, login, want string
	}{
		{"off by default", "", "flat", ""},
		{"top-level field", "lang", "flat", "de"},
		{"dotted path", "profile.locale", "flat", "fr-CA"},
		{"not a string", "lang", "number", ""},
		{"missing", "profile.locale", "number", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := mongo.NewUserStore(db, mongo.UserMapping{LanguageField: tt.field})
			u, err := store.FindByLogin(testCtx(t), tt.login)
			if err != nil || u.Language != tt.want {
				t.Fatalf("FindByLogin(%s) = %+v, %v; want language %q", tt.login, u, err, tt.want)
			}
		})
	}
}
