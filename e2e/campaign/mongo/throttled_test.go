package mongo

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestProviderThrottlesCampaignOnMongo: on MongoDB, SendGrid answers the first 30
// deliveries 429 with Retry-After while a campaign over 40 users is queued and a
// serve delivers it. Delivery slows (every refused attempt is retried) and nothing
// is lost: each user gets exactly one e-mail, the campaign's, in the end.
func TestProviderThrottlesCampaignOnMongo(t *testing.T) {
	const n = 40
	db := mongotest.NewDatabase(t)
	harness.SeedUsers(t, db, n)
	sg := sendgridtest.New(t)
	env := append(harness.ServiceEnv(mongotest.URI(t), db.Name()), harness.MailEnv(sg)...)
	sg.FailNext(30, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	harness.Serve(t, mongotest.URI(t), db.Name(), harness.MailEnv(sg)...)

	out := harness.RunTool(t, env, "campaign", "start", "--rate", "100")
	if !strings.Contains(out, "done: 40 users handled, 40 e-mails queued") {
		t.Errorf("campaign output:\n%s", out)
	}
	harness.AwaitDelivery(t, sg, n, 0)
	if a := sg.Attempts(); a < n+30 {
		t.Errorf("%d delivery attempts, want the 30 refused ones retried on top of %d", a, n)
	}
	for _, m := range sg.Messages() {
		if m.Kind != "breach_reset" || !strings.Contains(m.Subject, "Security incident") {
			t.Fatalf("delivered %q (kind %s), want the campaign's e-mail", m.Subject, m.Kind)
		}
	}
}
