package api

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestEndToEnd runs the built binary against MongoDB (FerretDB) and a SendGrid
// stand-in: request a link, take it out of the mail, reset, check the stored hash.
func TestEndToEnd(t *testing.T) {
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(),
		"SENDGRID_API_KEY="+sendgridtest.APIKey, "SENDGRID_API_URL="+sg.URL())

	if status, body := harness.Post(t, api+"send-reset-password-link/", `{"login":"alice"}`); status != 200 {
		t.Fatalf("send link: %d %v", status, body)
	}
	harness.AwaitDelivery(t, sg, 1, 0) // the mail goes out through the outbox, after the answer
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
		"signature": q.Get("signature"), "password": harness.NewPassword})
	if status, got := harness.Post(t, api+"reset-password/", string(body)); status != 200 {
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
	if ok, err := h.Verify(doc.Password, harness.NewPassword); !ok || err != nil {
		t.Fatalf("stored hash %q does not verify the new password: %v", doc.Password, err)
	}
	if ok, _ := h.Verify(doc.Password, harness.OldPassword); ok {
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
	harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	_, api := harness.Serve(t, srv.URI(), db.Name(), "MONGODB_TIMEOUT=2s",
		"SENDGRID_API_KEY="+sendgridtest.APIKey, "SENDGRID_API_URL="+sg.URL())
	send := func() (int, map[string]any) {
		return harness.Post(t, api+"send-reset-password-link/", `{"login":"alice"}`)
	}
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
