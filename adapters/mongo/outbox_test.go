package mongo_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// newOutbox returns an empty outbox in a database of its own, with its indexes.
func newOutbox(t *testing.T) *mongo.Outbox {
	return prepareOutbox(t, mongotest.NewDatabase(t))
}

// testConfig is the outbox configuration of tests that play out times of their
// own (t0 and later): leases and due times are judged by the times they pass, as
// if they were the server's (TestOutboxServerClock checks the server's clock).
var testConfig = mongo.OutboxConfig{CallersClock: true}

// prepareOutbox returns the outbox of db ("outbox"), with its indexes. They have
// no TTL: on MongoDB one would delete the messages of the tests' fixed dates, once
// those are older than the TTL, while the tests run (TestEnsureIndexes checks TTLs).
func prepareOutbox(t *testing.T, db *driver.Database) *mongo.Outbox {
	t.Helper()
	box := mongo.NewOutbox(db, testConfig)
	if err := box.EnsureIndexes(testCtx(t), 0); err != nil {
		t.Fatalf("EnsureIndexes: %v", err)
	}
	return box
}

// sameDatabase returns db as seen through a client of its own, as another process
// of the service would see it.
func sameDatabase(t *testing.T, db *driver.Database) *driver.Database {
	return mongotest.Connect(t, mongotest.URI(t)).Database(db.Name())
}

// sample returns the n-th test e-mail, with a body that holds a link.
func sample(n int) ports.Message {
	return ports.Message{Kind: "reset_link", UserID: fmt.Sprint(n), From: "noreply@example.com",
		To: fmt.Sprintf("u%d@example.org", n), Subject: "Reset your password",
		Text: fmt.Sprintf("https://example.com/reset/%d", n), HTML: fmt.Sprintf(`<a href="/reset/%d">reset</a>`, n)}
}

// rawMessage reads a message's document as stored.
func rawMessage(t *testing.T, db *driver.Database, id string) bson.Raw {
	t.Helper()
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := db.Collection("outbox").FindOne(testCtx(t), bson.D{{Key: "_id", Value: oid}}).Raw()
	if err != nil {
		t.Fatalf("read message %s: %v", id, err)
	}
	return doc
}

func mustAdd(t *testing.T, box *mongo.Outbox, n int, now time.Time) string {
	t.Helper()
	id, err := box.Add(testCtx(t), sample(n), now)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return id
}

// TestOutboxReclaim: two processes share an outbox; once the first one's lease
// expires the second claims the message for the next attempt, and the first can
// no longer settle it.
func TestOutboxReclaim(t *testing.T) {
	db := mongotest.NewDatabase(t)
	a, b := prepareOutbox(t, db), mongo.NewOutbox(sameDatabase(t, db), testConfig)
	const lease = 30 * time.Second
	id := mustAdd(t, a, 1, t0)
	if got, err := a.Claim(testCtx(t), "a", t0, lease); err != nil || got.ID != id || got.Attempts != 1 {
		t.Fatalf("first Claim = %+v, %v", got, err)
	}
	if got, err := b.Claim(testCtx(t), "b", t0.Add(lease-time.Millisecond), lease); !errors.Is(err, ports.ErrNothingDue) {
		t.Fatalf("Claim during the lease = %+v, %v; want ErrNothingDue", got, err)
	}
	got, err := b.Claim(testCtx(t), "b", t0.Add(lease), lease)
	if err != nil || got.ID != id || got.Attempts != 2 || got.LeaseOwner != "b" || got.Message != sample(1) {
		t.Fatalf("Claim after the lease = %+v, %v; want attempt 2 of the whole message, to b", got, err)
	}
	if err = a.MarkSent(testCtx(t), id, "a", "p-a", t0.Add(lease)); !errors.Is(err, ports.ErrLeaseLost) {
		t.Fatalf("MarkSent by the first owner: got %v, want ErrLeaseLost", err)
	}
	if err = b.MarkSent(testCtx(t), id, "b", "p-b", t0.Add(lease)); err != nil {
		t.Fatalf("MarkSent by the second owner: %v", err)
	}
}

// TestOutboxErasesBody: once settled, the stored document keeps the message's
// metadata and neither its body nor a lease.
func TestOutboxErasesBody(t *testing.T) {
	settle := map[string]func(box *mongo.Outbox, id string) error{
		"MarkSent":   func(box *mongo.Outbox, id string) error { return box.MarkSent(testCtx(t), id, "w", "p-1", t0) },
		"MarkFailed": func(box *mongo.Outbox, id string) error { return box.MarkFailed(testCtx(t), id, "w", "refused", t0) },
	}
	for name, settle := range settle {
		t.Run(name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			box := prepareOutbox(t, db)
			id := mustAdd(t, box, 7, t0)
			if _, err := box.Claim(testCtx(t), "w", t0, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := settle(box, id); err != nil {
				t.Fatal(err)
			}
			doc := rawMessage(t, db, id)
			for _, path := range []string{"message.subject", "message.text", "message.html", "lease_owner", "lease_expires"} {
				if v, err := doc.LookupErr(strings.Split(path, ".")...); err == nil {
					t.Errorf("%s still stored: %v", path, v)
				}
			}
			for _, path := range []string{"message.kind", "message.from", "message.to", "message.user_id"} {
				if _, ok := doc.Lookup(strings.Split(path, ".")...).StringValueOK(); !ok {
					t.Errorf("%s not kept", path)
				}
			}
			if doc.Lookup("finished_at").Type != bson.TypeDateTime {
				t.Errorf("finished_at = %v, want a date", doc.Lookup("finished_at"))
			}
			if strings.Contains(doc.String(), "/reset/7") {
				t.Errorf("the link survives in %s", doc)
			}
		})
	}
}

// TestOutboxIDs: only the canonical spelling of an id names a message.
func TestOutboxIDs(t *testing.T) {
	box := newOutbox(t)
	id := mustAdd(t, box, 1, t0)
	if _, err := box.Get(testCtx(t), id); err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	for _, other := range []string{strings.ToUpper(id), " " + id, id + "0", id[:23]} {
		if other == id {
			continue // an id of digits only has no upper case
		}
		if _, err := box.Get(testCtx(t), other); !errors.Is(err, ports.ErrMessageNotFound) {
			t.Errorf("Get(%q): got %v, want ErrMessageNotFound", other, err)
		}
	}
}

// TestOutboxStatsByIndex: Stats reads no message that its index could not find:
// every command it sends is filtered on the state, first key of that index.
// (Issue 8, item 9: a $group over the whole collection read every message.)
func TestOutboxStatsByIndex(t *testing.T) {
	db := mongotest.NewDatabase(t)
	mustAdd(t, prepareOutbox(t, db), 1, t0)
	wdb, log := watched(t, db)
	box := mongo.NewOutbox(wdb, mongo.OutboxConfig{})
	if _, err := box.Stats(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	cmds := log.take()
	if len(cmds) == 0 {
		t.Fatal("no command recorded")
	}
	for _, cmd := range cmds {
		filter, ok := cmd.Lookup("filter").DocumentOK()
		if !ok { // CountDocuments is an aggregate that starts with $match
			stage, _ := cmd.Lookup("pipeline", "0").DocumentOK()
			filter, ok = stage.Lookup("$match").DocumentOK()
		}
		if !ok || filter.Lookup("state").Type == 0 {
			t.Errorf("Stats sent %s: not filtered on the state", cmd)
		}
	}
}
