package mongotest_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// TestNewDatabase: each test gets a database of its own on the shared server.
func TestNewDatabase(t *testing.T) {
	a, b := mongotest.NewDatabase(t), mongotest.NewDatabase(t)
	if a.Name() == b.Name() {
		t.Fatalf("two databases named %q", a.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.Collection("c").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Collection("c").CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Fatalf("other database holds %d documents (%v), want 0", n, err)
	}
}

// TestServerRestart: a private server comes back on the same URI with its data.
func TestServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a server of its own")
	}
	srv := mongotest.StartServer(t)
	uri := srv.URI()
	coll := mongotest.Connect(t, uri).Database("restart").Collection("c")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kept"}}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv.Stop() // stopping a stopped server is harmless
	srv.Start()
	if srv.URI() != uri {
		t.Fatalf("URI after restart = %s, want %s", srv.URI(), uri)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: "kept"}}); err != nil || n != 1 {
		t.Fatalf("after restart: %d documents (%v), want 1", n, err)
	}
}
