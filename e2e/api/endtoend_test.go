package main

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

const (
	oldPassword = "the old password, forgotten"
	newPassword = "a brand new passphrase 42"
	secretKey   = "e2e-secret-key-that-is-at-least-32-bytes"
)

// seedAlice stores one user the way a Django-style application would.
func seedAlice(t *testing.T, db *mongo.Database) bson.ObjectID {
	t.Helper()
	hash, err := argon2.NewHasher(argon2.DefaultParams()).Hash(oldPassword)
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

// serveAgainst starts the binary on a MongoDB database, with extra settings.
func serveAgainst(t *testing.T, uri, database string, extra ...string) (*process, string) {
	env := append(append(serviceEnv(uri, database), "HTTP_ADDR=127.0.0.1:0"), extra...)
	p := start(t, env, "serve")
	addr := p.await(t, regexp.MustCompile(`"pwreset listening".*"addr":"(http://[^"]+)"`))[1]
	return p, addr + "/api/v1/accounts/"
}

// TestEndToEnd runs the built binary against MongoDB (FerretDB) and a SendGrid
// stand-in: request a link, take it out of the mail, reset, check the stored hash.
func TestEndToEnd(t *testing.T) {
	db := mongotest.NewDatabase(t)
	id := seedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := serveAgainst(t, mongotest.URI(t), db.Name(),
		"SENDGRID_API_KEY="+sendgridtest.APIKey, "SENDGRID_API_URL="+sg.URL())

	if status, body := post(t, api+"send-reset-password-link/", `{"login":"alice"}`); status != 200 {
		t.Fatalf("send link: %d %v", status, body)
	}
	awaitDelivery(t, sg, 1, 0) // the mail goes out through the outbox, after the answer
	msgs := sg.Messages()
	if len(msgs) != 1 || msgs[0].To != "alice@example.com" || msgs[0].From != "noreply@example.com" {
		t.Fatalf("SendGrid received %+v", msgs)
	}
	raw := regexp.MustCompile(`https://frontend\.example/reset-password/\?\S+`).FindString(msgs[0].Text)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		t.Fatalf("no link in the mail: %q", msgs[0].Text)
	}
	q := u.Query()
	if q.Get("user_id") != id.Hex() {
		t.Fatalf("link user_id %q, want %s", q.Get("user_id"), id.Hex())
	}
	body, _ := json.Marshal(map[string]string{"user_id": q.Get("user_id"), "timestamp": q.Get("timestamp"),
		"signature": q.Get("signature"), "password": newPassword})
	if status, got := post(t, api+"reset-password/", string(body)); status != 200 {
		t.Fatalf("reset: %d %v", status, got)
	}

	var doc struct {
		Password string `bson:"password"`
		IsStaff  *bool  `bson:"is_staff"`
	}
	if err := db.Collection("users").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	h := argon2.NewHasher(argon2.DefaultParams())
	if ok, err := h.Verify(doc.Password, newPassword); !ok || err != nil {
		t.Fatalf("stored hash %q does not verify the new password: %v", doc.Password, err)
	}
	if ok, _ := h.Verify(doc.Password, oldPassword); ok {
		t.Fatal("stored hash still verifies the old password")
	}
	if doc.IsStaff == nil {
		t.Fatal("the reset removed a field it does not own")
	}
}

// TestMongoOutage stops MongoDB under a running service: requests get 503 within
// MONGODB_TIMEOUT, never a hang or a 500, and the service recovers by itself.
func TestMongoOutage(t *testing.T) {
	srv := mongotest.StartServer(t)
	db := mongotest.Connect(t, srv.URI()).Database("outage")
	seedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := serveAgainst(t, srv.URI(), db.Name(), "MONGODB_TIMEOUT=2s",
		"SENDGRID_API_KEY="+sendgridtest.APIKey, "SENDGRID_API_URL="+sg.URL())
	send := func() (int, map[string]any) { return post(t, api+"send-reset-password-link/", `{"login":"alice"}`) }
	if status, body := send(); status != 200 {
		t.Fatalf("before the outage: %d %v", status, body)
	}

	srv.Stop()
	for range 2 {
		start := time.Now()
		status, body := send()
		if status != 503 || body["detail"] != "Service temporarily unavailable." {
			t.Fatalf("during the outage: %d %v", status, body)
		}
		// Without MONGODB_TIMEOUT the driver would wait 30 s to select a server, and
		// the server stays down: a bound of 20 s proves the timeout and leaves a busy
		// machine room.
		if took := time.Since(start); took > 20*time.Second {
			t.Fatalf("the 503 took %v; MONGODB_TIMEOUT is 2s and the driver's own wait 30s", took)
		}
	}

	srv.Start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _ := send()
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d 30s after MongoDB came back", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
