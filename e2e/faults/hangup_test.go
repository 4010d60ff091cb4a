package faults

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestHangUpsLeaveNoUnnoticedChange: a client posts a reset with a good one-time
// link and hangs up while MongoDB holds one of the request's commands; then the
// command goes through. Whatever the moment, the password is changed if and only if
// the success event is logged and the notice is sent. Once the change has begun
// (the notice held, the update, the notice released), the client's
// hang-up does not stop it.
// Before, a hang-up during the update left the password changed with neither, and
// one during the guard left it unchanged and the user locked out.
//
// Before the change begins (the link's user is read), the hang-up stops the reset
// if the service noticed it in time; either way the rule above must hold.
func TestHangUpsLeaveNoUnnoticedChange(t *testing.T) {
	moments := []struct {
		name, command, collection string
		skip                      int  // matching commands to let pass before the one held
		mustChange                bool // whether the change must be made, whenever the hang-up is noticed
	}{
		{"while the link's user is read", "find", "users", 0, false},
		{"while the notice is held", "insert", "outbox", 0, true},
		{"while the new hash is written", "update", "users", 0, true},
		{"while the notice is released", "update", "outbox", 0, true},
	}
	for _, m := range moments {
		t.Run(m.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			id := harness.SeedAlice(t, db)
			sg := sendgridtest.New(t)
			proxy, uri := harness.NewWireProxy(t, mongotest.URI(t))
			p, api := harness.Serve(t, uri, db.Name(), append(harness.MailEnv(sg), "MONGODB_TIMEOUT=10s",
				"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")...)
			harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
			link := harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)[0])

			h := proxy.HoldAfter(m.command, m.collection, m.skip)
			hangUpDuring(t, api+"reset-password/", harness.ResetBody(link, harness.NewPassword), h)
			p.Await(t, regexp.MustCompile(`"msg":"request".*"path":"[^"]*/reset-password/"`))

			changed := harness.Verifies(t, harness.UserDoc(t, db, id)["password"], harness.NewPassword)
			if m.mustChange && !changed {
				t.Fatal("the password was not changed: the hang-up stopped a change that had begun")
			}
			succeeded := len(harness.Matching(harness.Events(p), "password_reset.succeeded", map[string]any{"user_id": id.Hex()}))
			if changed {
				if succeeded != 1 {
					t.Fatalf("the password changed; %d success events, want 1", succeeded)
				}
				harness.AwaitMails(t, sg, "alice@example.com", reset.KindPasswordChanged, 1)
				return
			}
			// No notice is stored, held or due, so none can come later.
			held, err := db.Collection("outbox").CountDocuments(context.Background(),
				bson.D{{Key: "message.kind", Value: reset.KindPasswordChanged}})
			if err != nil || held != 0 || succeeded != 0 {
				t.Fatalf("the password did not change; %d notices stored (%v) and %d success events, want none",
					held, err, succeeded)
			}
		})
	}
}

// hangUpDuring posts body to u over a connection of its own, waits until the proxy
// holds h, hangs up, gives the service time to notice, and lets h on.
func hangUpDuring(t *testing.T, u, body string, h *harness.Held) {
	t.Helper()
	target, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", target.Host)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		target.Path, target.Host, len(body), body)
	select {
	case <-h.Caught:
	case <-time.After(20 * time.Second):
		conn.Close()
		close(h.Release)
		t.Fatalf("the service never sent %s on %s", h.Command, h.Collection)
	}
	conn.Close()
	// The service notices the hang-up at once (it reads the connection while the
	// handler runs); the wait leaves a busy machine room. Were it too short, the test
	// would prove less, never fail wrongly.
	time.Sleep(500 * time.Millisecond)
	close(h.Release)
	select {
	case <-h.Answered:
	case <-time.After(20 * time.Second):
		t.Fatalf("MongoDB never answered the held %s on %s", h.Command, h.Collection)
	}
}
