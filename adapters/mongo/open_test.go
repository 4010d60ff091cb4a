package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestOpen: Open returns every store of the backend, its readiness check answering,
// its name and timeout, with the indexes of pwreset's collections made; close
// disconnects, after which the readiness check fails.
func TestOpen(t *testing.T) {
	db := mongotest.NewDatabase(t) // a fresh name; Open connects a client of its own
	s, closeStores, err := mongo.Open(testCtx(t), mongo.Config{URI: mongotest.URI(t), Database: db.Name(),
		Timeout: 7 * time.Second, Users: mongo.UserMapping{Collection: "people"},
		RateLimitsCollection: "limits", OutboxCollection: "box", RateLimitsKeep: time.Hour, OutboxRetention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if s.Users == nil || s.Outbox == nil || s.Limiter == nil || s.Campaigns == nil || s.Readiness == nil ||
		s.Name != "MongoDB" || s.Timeout != 7*time.Second {
		t.Fatalf("incomplete stores: %+v", s)
	}
	if err := s.Readiness.Ping(testCtx(t)); err != nil {
		t.Fatalf("readiness of a running server: %v", err)
	}
	for _, coll := range []string{"limits", "box"} {
		specs, err := db.Collection(coll).Indexes().ListSpecifications(testCtx(t))
		if err != nil || len(specs) < 2 { // _id's and pwreset's own
			t.Errorf("indexes of %s: %d, %v; want Open to have made them", coll, len(specs), err)
		}
	}
	if _, err := s.Users.FindByLogin(testCtx(t), "nobody"); !errors.Is(err, ports.ErrUserNotFound) {
		t.Errorf("FindByLogin in an empty collection: %v; want ErrUserNotFound", err)
	}
	closeStores()
	if err := s.Readiness.Ping(testCtx(t)); err == nil {
		t.Error("readiness after close: nil; want the client disconnected")
	}
}

// TestOpenUnreachable: a server that is not there is an error wrapping
// ErrUnavailable, within the timeout, with nothing to close.
func TestOpenUnreachable(t *testing.T) {
	s, closeStores, err := mongo.Open(testCtx(t), mongo.Config{URI: "mongodb://127.0.0.1:1/", Timeout: 500 * time.Millisecond})
	if !errors.Is(err, ports.ErrUnavailable) || closeStores != nil || s.Users != nil {
		t.Fatalf("Open of nothing: %v (close %v, users %v); want ErrUnavailable and nothing", err, closeStores != nil, s.Users)
	}
}
