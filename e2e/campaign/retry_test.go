package campaign

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestRetryFailedCampaignEmails: the provider refuses a campaign's e-mails for
// good (400), so they fail; two `pwreset outbox retry --failed` run at once, and
// each user then gets exactly one e-mail, the campaign's, with a fresh link. The
// campaign's once-per-user limit does not refuse the operator's re-send.
func TestRetryFailedCampaignEmails(t *testing.T) {
	const n = 5
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	if _, err := pool.Exec(context.Background(), harness.DjangoTable); err != nil {
		t.Fatal(err)
	}
	harness.SeedDjangoUsers(t, pool, n)
	sg := sendgridtest.New(t)
	env := sendGridEnv(t, dbURL, sg)
	sg.FailNext(n, http.StatusBadRequest, nil)
	harness.ServePostgres(t, env)

	harness.RunTool(t, env, "campaign", "start", "--rate", "100", "--invalidate-passwords")
	harness.AwaitOutput(t, env, "failed     5", "outbox")
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range outs {
		wg.Go(func() {
			code, out, errOut := harness.RunSupport(t, env, "outbox", "retry", "--failed")
			if code != 0 {
				t.Errorf("retry %d: exit %d\n%s%s", i, code, out, errOut)
			}
			outs[i] = out
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if got := strings.Count(strings.Join(outs, ""), "(breach_reset)"); got < n {
		t.Errorf("the retries requeued %d campaign e-mails, want every one of %d:\n%s", got, n, strings.Join(outs, "\n"))
	}
	harness.AwaitOutput(t, env, "failed     0", "outbox")
	harness.AwaitDelivery(t, sg, n, 0)
	stats := harness.AwaitOutput(t, env, "pending    0", "outbox")
	if !strings.Contains(stats, "sending    0") {
		t.Errorf("outbox after delivery:\n%s", stats)
	}
	per := map[string]int{}
	for _, m := range sg.Messages() {
		per[m.To]++
		if m.Kind != "breach_reset" || !strings.Contains(m.Subject, "Security incident") ||
			!strings.Contains(m.Text, "https://frontend.example/reset-password/") {
			t.Errorf("delivered %q (kind %s), want the campaign's e-mail with a link", m.Subject, m.Kind)
		}
	}
	for to, k := range per {
		if k != 1 {
			t.Errorf("%s got %d e-mails, want 1", to, k)
		}
	}
}

// sendGridEnv is the PostgreSQL service's environment delivering through sg
// rather than SMTP.
func sendGridEnv(t *testing.T, dbURL string, sg *sendgridtest.Server) []string {
	var env []string
	for _, kv := range harness.PostgresEnv(dbURL, smtptest.Start(t, smtptest.Options{})) {
		if !strings.HasPrefix(kv, "SMTP_") && !strings.HasPrefix(kv, "SSL_CERT_FILE=") {
			env = append(env, kv)
		}
	}
	return append(env, harness.MailEnv(sg)...)
}
