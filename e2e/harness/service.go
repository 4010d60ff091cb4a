package harness

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// The passwords of the seeded users, and the service's signing key.
const (
	OldPassword = "the old password, forgotten"
	NewPassword = "a brand new passphrase 42"
	SecretKey   = "e2e-secret-key-that-is-at-least-32-bytes"
)

// ServiceEnv configures the binary on MongoDB at uri (database database), with
// links to https://frontend.example/reset-password/ and rate limits off, a
// client's share of the hourly link cap too: tests send many requests from one
// address; those of the limits set their own.
func ServiceEnv(uri, database string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "MONGODB_URI=" + uri, "MONGODB_DATABASE=" + database,
		"SECRET_KEY=" + SecretKey, "RESET_PASSWORD_VERIFICATION_URL=https://frontend.example/reset-password/",
		"VERIFICATION_FROM_EMAIL=noreply@example.com",
		"RATE_LIMIT_SEND_LINK=off", "RATE_LIMIT_RESET_PASSWORD=off", QueueTimeout,
		"RESET_PASSWORD_LINKS_CLIENT_SHARE=0"}
}

// QueueTimeout lets a reset wait for a hashing slot for as long as the server
// allows: tests race a dozen resets on a machine that may be busy, where 5 s (the
// default) can pass before the last one hashes and it would get 503. The bound
// itself is tested in adapters/hashpool and adapters/http.
const QueueTimeout = "HASH_QUEUE_TIMEOUT=29s"

// MailEnv is the configuration of a service that delivers through sg quickly enough
// for tests: short retries and polls, a lease that outlasts the SendGrid timeout.
func MailEnv(sg *sendgridtest.Server) []string {
	return []string{"SENDGRID_API_KEY=" + sendgridtest.APIKey, "SENDGRID_API_URL=" + sg.URL(),
		"SENDGRID_TIMEOUT=1s", "MAIL_LEASE=2s", "MAIL_RETRY_MIN=100ms", "MAIL_RETRY_MAX=1s",
		"OUTBOX_POLL_INTERVAL=200ms", "SHUTDOWN_GRACE=3s", "LOG_FORMAT=json"}
}

// Serve starts the binary on a MongoDB database, with extra settings, and returns
// it with its API's base URL (ending in /api/v1/accounts/).
func Serve(t *testing.T, uri, database string, extra ...string) (*Process, string) {
	env := append(append(ServiceEnv(uri, database), "HTTP_ADDR=127.0.0.1:0"), extra...)
	p := Start(t, env, "serve")
	addr := p.Await(t, Listening)[1]
	return p, addr + "/api/v1/accounts/"
}

// SeedAlice stores one user the way a Django-style application would: alice
// (alice@example.com), whose password is OldPassword.
func SeedAlice(t *testing.T, db *mongo.Database) bson.ObjectID {
	t.Helper()
	hash, err := argon2.NewHasher(argon2.DefaultParams()).Hash(OldPassword)
	if err != nil {
		t.Fatal(err)
	}
	id := bson.NewObjectID()
	_, err = db.Collection("users").InsertOne(context.Background(),
		bson.D{{Key: "_id", Value: id}, {Key: "username", Value: "alice"}, {Key: "email", Value: "alice@example.com"},
			{Key: "password", Value: hash}, {Key: "is_staff", Value: false}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// SeedUsers stores n users user0..user{n-1} with e-mails user0@example.com...
func SeedUsers(t *testing.T, db *mongo.Database, n int) {
	t.Helper()
	var docs []any
	for i := range n {
		docs = append(docs, bson.D{{Key: "_id", Value: int64(1000 + i)}, {Key: "username", Value: fmt.Sprintf("user%d", i)},
			{Key: "email", Value: fmt.Sprintf("user%d@example.com", i)}, {Key: "password", Value: "x"}})
	}
	if _, err := db.Collection("users").InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

// UserDoc reads the stored document of the user with the given _id.
func UserDoc(t *testing.T, db *mongo.Database, id any) bson.M {
	t.Helper()
	var doc bson.M
	if err := db.Collection("users").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatalf("read user %v: %v", id, err)
	}
	return doc
}

// Verifies reports whether a stored hash (as decoded from BSON) verifies password.
func Verifies(t *testing.T, stored any, password string) bool {
	t.Helper()
	hash, _ := stored.(string)
	ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(hash, password)
	return ok && err == nil
}
