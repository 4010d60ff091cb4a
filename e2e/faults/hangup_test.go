package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
)

// TestHangUpsLeaveNoUnnoticedChange: a client posts a reset with a good one-time
// link and hangs up while MongoDB holds one of the request's commands; then the
// command goes through. Whatever the moment, the password is changed if and only if
// the success event is logged and the notice is sent. Once the change has begun
// (the notice held, the guard, the update, the notice released), the client's
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
		{"while the change is guarded", "insert", "password_changes", 0, true},
		{"while the new hash is written", "update", "users", 0, true},
		{"while the notice is released", "update", "outbox", 0, true},
	}
	for _, m := range moments {
		t.Run(m.name, func(t *testing.T) {
			db := mongotest.NewDatabase(t)
			id := seedAlice(t, db)
			sg := sendgridtest.New(t)
			proxy, uri := newWireProxy(t, mongotest.URI(t))
			p, api := serveAgainst(t, uri, db.Name(), append(mailEnv(sg), "MONGODB_TIMEOUT=10s",
				"RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true")...)
			wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
			link := linkIn(t, awaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)[0])

			h := proxy.holdAfter(m.command, m.collection, m.skip)
			hangUpDuring(t, api+"reset-password/", resetBody(link, newPassword), h)
			p.await(t, regexp.MustCompile(`"msg":"request".*"path":"[^"]*/reset-password/"`))

			changed := verifies(t, userDoc(t, db, id)["password"], newPassword)
			if m.mustChange && !changed {
				t.Fatal("the password was not changed: the hang-up stopped a change that had begun")
			}
			succeeded := len(matching(events(p), "password_reset.succeeded", map[string]any{"user_id": id.Hex()}))
			if changed {
				if succeeded != 1 {
					t.Fatalf("the password changed; %d success events, want 1", succeeded)
				}
				awaitMails(t, sg, "alice@example.com", reset.KindPasswordChanged, 1)
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
func hangUpDuring(t *testing.T, u, body string, h *held) {
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
	case <-h.caught:
	case <-time.After(20 * time.Second):
		conn.Close()
		close(h.release)
		t.Fatalf("the service never sent %s on %s", h.command, h.collection)
	}
	conn.Close()
	// The service notices the hang-up at once (it reads the connection while the
	// handler runs); the wait leaves a busy machine room. Were it too short, the test
	// would prove less, never fail wrongly.
	time.Sleep(500 * time.Millisecond)
	close(h.release)
	select {
	case <-h.answered:
	case <-time.After(20 * time.Second):
		t.Fatalf("MongoDB never answered the held %s on %s", h.command, h.collection)
	}
}

// verifies reports whether a stored hash (as decoded from BSON) verifies password.
func verifies(t *testing.T, stored any, password string) bool {
	t.Helper()
	hash, _ := stored.(string)
	ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(hash, password)
	return ok && err == nil
}

// events returns the audit events the service has logged so far.
func events(p *process) []map[string]any {
	var got []map[string]any
	for _, l := range p.snapshot() {
		if !strings.Contains(l, `"audit":true`) {
			continue
		}
		var e map[string]any
		if json.Unmarshal([]byte(l), &e) == nil {
			got = append(got, e)
		}
	}
	return got
}
