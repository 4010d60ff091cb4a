package ops

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestSupportCommands: `pwreset link` prints a link that resets the password and
// sends nothing; `pwreset send-link --wait` queues a link that a running instance
// delivers, past the cooldown and the daily cap, and reports the delivery; an
// unknown user exits 1 and queues nothing.
func TestSupportCommands(t *testing.T) {
	db := mongotest.NewDatabase(t)
	id := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	env := append(harness.ServiceEnv(mongotest.URI(t), db.Name()), harness.MailEnv(sg)...)
	env = append(env, "RESET_PASSWORD_LINK_DAILY_CAP=1")

	code, out, errOut := harness.RunSupport(t, env, "link", "--login", "nobody")
	if code != 1 || out != "" || !strings.Contains(errOut, "no user with login nobody; nothing was sent") {
		t.Errorf("link for an unknown login: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = harness.RunSupport(t, env, "send-link", "--user-id", bson.NewObjectID().Hex())
	if code != 1 || !strings.Contains(errOut, "no user with user id") {
		t.Errorf("send-link for an unknown id: exit %d, stderr %q", code, errOut)
	}
	if n, err := db.Collection("outbox").CountDocuments(context.Background(), bson.D{}); err != nil || n != 0 {
		t.Fatalf("the outbox holds %d messages after refusals (%v), want 0", n, err)
	}

	code, out, errOut = harness.RunSupport(t, env, "link", "--user-id", id.Hex())
	if code != 0 || !strings.Contains(errOut, "reset_link.issued_by_operator") {
		t.Fatalf("link: exit %d, stderr %s", code, errOut)
	}
	printed, err := url.Parse(strings.TrimSpace(out))
	if err != nil || !strings.HasPrefix(out, "https://frontend.example/reset-password/?") {
		t.Fatalf("link printed %q", out)
	}

	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg), "RESET_PASSWORD_LINK_DAILY_CAP=1", "METRICS_ON_API_ADDR=true")...)
	harness.WantDetail(t, "reset with the printed link", harness.ResetWith(t, api, printed.Query(), harness.NewPassword), 200, "Reset password successful")
	harness.AwaitMails(t, sg, "alice@example.com", "password_changed", 1)
	if n := len(harness.MailsTo(sg, "alice@example.com", "reset_link")); n != 0 {
		t.Fatalf("link sent %d e-mails, want none", n)
	}

	// The printed link counts as alice's latest: it started her cooldown (and used up
	// her daily cap of 1), so a request through the API is held back, counted as in
	// the cooldown, the first limit a link is checked against. The operator's links
	// go out all the same.
	harness.WantDetail(t, "request within the cooldown", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	awaitMetric(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/metrics", `pwreset_link_requests_total{outcome="cooldown"} 1`)
	for i := 1; i <= 2; i++ {
		code, out, errOut = harness.RunSupport(t, env, "send-link", "--login", "alice", "--wait")
		if code != 0 || !strings.Contains(out, "queued login alice") || !strings.Contains(out, "sent to alice@example.com") {
			t.Fatalf("send-link --wait #%d: exit %d\nstdout %s\nstderr %s", i, code, out, errOut)
		}
	}
	mails := harness.AwaitMails(t, sg, "alice@example.com", "reset_link", 2)
	harness.WantDetail(t, "reset with the sent link", harness.ResetWith(t, api, harness.LinkIn(t, mails[1]), "yet another fine passphrase"),
		200, "Reset password successful")
	harness.AssertNoLinkLogged(t, p)
}
