package mongo_test

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestRefusedToNobodyShareARecord (issue 18 item 9): every link request stored a
// document, and a stream of unknown logins over their limits stored one each until
// OUTBOX_RETENTION, without bound. A message to nobody (an unknown login, a user
// without an address) that a limit refuses counts no event, so it now overwrites
// the one record of its reason: 200 such requests on a cooldown of one link keep 2
// documents (the link counted, the shared record, holding the latest with its
// body), where they kept 200.
func TestRefusedToNobodyShareARecord(t *testing.T) {
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, db)
	cool := []ports.Limit{{Key: "reset_link:cooldown:unknown-1", Max: 1, Window: time.Hour, Reason: "cooldown"}}
	var shared string
	for i := range 200 {
		msg := sample(i)
		msg.To = ""
		m := ports.LimitedMessage{Message: msg, Limits: cool, Suppress: "unknown_user", KeepBody: true}
		id, refused, err := box.AddLimited(testCtx(t), m, t0.Add(time.Duration(i)*time.Second))
		if err != nil || refused != min(i, 1)-1 {
			t.Fatalf("request %d: refused by %d, %v", i, refused, err)
		}
		if i == 1 {
			shared = id
		} else if i > 1 && id != shared {
			t.Fatalf("request %d stored as %s; want the shared record %s", i, id, shared)
		}
	}
	n, err := db.Collection("outbox").CountDocuments(testCtx(t), bson.D{})
	if err != nil || n != 2 {
		t.Fatalf("200 requests to nobody, 199 refused, keep %d documents (%v); want 2", n, err)
	}
	env, err := box.Get(testCtx(t), shared)
	if err != nil || env.State != ports.StateSuppressed || env.LastError != "cooldown" || env.Message.Text != sample(199).Text ||
		!env.CreatedAt.Equal(t0.Add(199*time.Second)) {
		t.Fatalf("the shared record: %+v, %v; want the latest refusal's, with its body", env, err)
	}
}
