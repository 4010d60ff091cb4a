package events

import (
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestDeadLetterOnMongoDB: on MongoDB (FerretDB), a receiver that refuses the
// password.changed event for good (410) leaves a dead letter that `pwreset outbox`
// lists with its kind and reason; `pwreset outbox retry --failed` sends it again
// under the same webhook-id, and the receiver takes it, once, with the time of
// the change.
func TestDeadLetterOnMongoDB(t *testing.T) {
	db := mongotest.NewDatabase(t)
	alice := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	r := webhooktest.Start(t)
	r.Script(webhooktest.Answer{Status: 410})
	extra := append(harness.MailEnv(sg), "EVENTS_URL="+r.URL, "EVENTS_SECRET="+r.Secret, "EVENTS_TIMEOUT=1s")
	env := append(harness.ServiceEnv(mongotest.URI(t), db.Name()), extra...)
	_, api := harness.Serve(t, mongotest.URI(t), db.Name(), extra...)

	if reply := harness.SendLink(t, api, "alice"); reply.Status != 200 {
		t.Fatalf("send link: %d %s", reply.Status, reply.Raw)
	}
	link := harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", "reset_link", 1)[0])
	before := time.Now().Add(-time.Second)
	if reply := harness.ResetWith(t, api, link, harness.NewPassword); reply.Status != 200 {
		t.Fatalf("reset: %d %s", reply.Status, reply.Raw)
	}
	after := time.Now().Add(time.Second)

	stats := harness.AwaitOutput(t, env, "failed     1", "outbox")
	if !strings.Contains(stats, "event.password.changed") || !strings.Contains(stats, "events endpoint: Gone") {
		t.Fatalf("pwreset outbox does not list the dead letter with its reason:\n%s", stats)
	}
	refused := r.Requests()[0].ID
	out := harness.RunTool(t, env, "outbox", "retry", "--failed")
	if !strings.Contains(out, "requeued") || !strings.Contains(out, "(event.password.changed)") {
		t.Fatalf("retry printed %q", out)
	}
	got, err := r.Await(1, 2*time.Minute)
	if err != nil {
		t.Fatalf("%v; receiver %+v", err, r.Stats())
	}
	ev := got[0]
	if len(got) != 1 || ev.ID != refused || ev.Type != "password.changed" || ev.Data.UserID != alice.Hex() ||
		ev.Timestamp.Before(before) || ev.Timestamp.After(after) {
		t.Errorf("received %+v; want the refused event %s of user %s, dated within the reset", got, refused, alice.Hex())
	}
	if st := r.Stats(); st.Invalid != 0 {
		t.Errorf("receiver %+v: a bad signature", st)
	}
	harness.AwaitOutput(t, env, "failed     0", "outbox")
}
