package api

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestRateLimitsHoldAcrossProcesses runs two services on one MongoDB and alternates
// requests between them: the per-IP limits and the per-account cooldown count the
// requests of both, as they would behind a load balancer.
func TestRateLimitsHoldAcrossProcesses(t *testing.T) {
	db := mongotest.NewDatabase(t)
	aliceID := harness.SeedAlice(t, db)
	harness.SeedUsers(t, db, 2)
	sg := sendgridtest.New(t)
	settings := append(harness.MailEnv(sg), "RATE_LIMIT_SEND_LINK=3/1m", "RATE_LIMIT_RESET_PASSWORD=3/1m",
		"RESET_PASSWORD_LINK_COOLDOWN=60s")
	_, apiA := harness.Serve(t, mongotest.URI(t), db.Name(), settings...)
	_, apiB := harness.Serve(t, mongotest.URI(t), db.Name(), settings...)
	apis := []string{apiA, apiB}

	// Send-link, from 127.0.0.1 to A, B, A, B, A: alice twice (the second within the
	// cooldown), then user0, then two more that the IP limit must stop.
	first := harness.SendLink(t, apiA, "alice")
	harness.WantDetail(t, "1st link (A, alice)", first, 200, "Reset link sent")
	second := harness.SendLink(t, apiB, "alice")
	if second.Status != first.Status || second.Raw != first.Raw {
		t.Fatalf("alice's link within the cooldown was answered %d %s, the first %d %s",
			second.Status, second.Raw, first.Status, first.Raw)
	}
	harness.WantDetail(t, "3rd link (A, user0)", harness.SendLink(t, apiA, "user0"), 200, "Reset link sent")
	for i, login := range []string{"user1", "alice"} {
		harness.WantThrottled(t, fmt.Sprintf("link request %d (%c, %s)", i+4, "BA"[i], login), harness.SendLink(t, apis[(i+1)%2], login), 60)
	}

	// One link reaches alice, however long we wait for a second.
	mails := harness.AwaitMails(t, sg, "alice@example.com", reset.KindResetLink, 1)
	harness.AwaitMails(t, sg, "user0@example.com", reset.KindResetLink, 1)
	time.Sleep(time.Second + 500*time.Millisecond)
	if n := len(harness.MailsTo(sg, "alice@example.com", reset.KindResetLink)); n != 1 {
		t.Fatalf("alice got %d links; the cooldown allows one", n)
	}
	if n := len(harness.MailsTo(sg, "user1@example.com", reset.KindResetLink)); n != 0 {
		t.Fatalf("user1 got %d links though the request was throttled", n)
	}
	var suppressed struct {
		Reason  string `bson:"last_error"`
		Message struct {
			To   string `bson:"to"`
			Text string `bson:"text"`
		} `bson:"message"`
	}
	err := db.Collection("outbox").FindOne(context.Background(), bson.D{{Key: "state", Value: "suppressed"}}).Decode(&suppressed)
	if err != nil || suppressed.Reason != reset.ReasonCooldown || suppressed.Message.To != "alice@example.com" ||
		suppressed.Message.Text != "" {
		t.Fatalf("the second link is not recorded as suppressed by the cooldown: %+v %v", suppressed, err)
	}
	// pwreset outbox counts the two links sent and the one suppressed.
	stats := harness.RunTool(t, append(harness.ServiceEnv(mongotest.URI(t), db.Name()), harness.MailEnv(sg)...), "outbox")
	if !regexp.MustCompile(`(?m)^pending +0 +\(e-mails 0, events 0\)\nsending +0 .*\nsent +2\nfailed +0 .*\nsuppressed +1\n`).MatchString(stats) {
		t.Errorf("pwreset outbox, after two links sent and one suppressed:\n%s", stats)
	}

	// Reset-password: one link, not one-time, resets three times (A, B, A); the
	// fourth request (B) is over the IP's rate, good link or not.
	link := harness.LinkIn(t, mails[0])
	if link.Get("user_id") != aliceID.Hex() {
		t.Fatalf("link for user %q, want alice %s", link.Get("user_id"), aliceID.Hex())
	}
	for i := range 3 {
		r := harness.ResetWith(t, apis[i%2], link, fmt.Sprintf("rate limited passphrase %d qz", i))
		harness.WantDetail(t, fmt.Sprintf("reset %d (%c)", i+1, "AB"[i%2]), r, 200, "Reset password successful")
	}
	harness.WantThrottled(t, "reset 4 (B)", harness.ResetWith(t, apiB, link, "rate limited passphrase 3 qz"), 60)
	harness.WantThrottled(t, "reset 5 (A)", harness.ResetWith(t, apiA, link, "rate limited passphrase 4 qz"), 60)
}
