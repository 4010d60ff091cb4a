package campaign

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestProviderThrottlesCampaign: SendGrid answers the first 30 deliveries 429 with
// Retry-After while a campaign over 40 users is queued and a serve delivers it.
// Delivery slows (every refused attempt is retried) and nothing is lost: each user
// gets exactly one e-mail, the campaign's, in the end.
func TestProviderThrottlesCampaign(t *testing.T) {
	const n = 40
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	if _, err := pool.Exec(context.Background(), harness.DjangoTable); err != nil {
		t.Fatal(err)
	}
	harness.SeedDjangoUsers(t, pool, n)
	sg := sendgridtest.New(t)
	env := sendGridEnv(t, dbURL, sg)
	sg.FailNext(30, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	harness.ServePostgres(t, env)

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
