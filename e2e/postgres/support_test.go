package postgres

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestPostgresSupportCommands: on PostgreSQL, an unknown user exits 1 and queues
// nothing; `pwreset send-link --wait` queues a link past the cooldown and the
// daily cap, which a running instance relays, reports the delivery and audits it;
// the link resets the password. /readyz is 200 while PostgreSQL answers.
func TestPostgresSupportCommands(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	id := harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	env := append(harness.PostgresEnv(dbURL, relay), "RESET_PASSWORD_LINK_DAILY_CAP=1")

	code, out, errOut := harness.RunSupport(t, env, "link", "--login", "nobody")
	if code != 1 || out != "" || !strings.Contains(errOut, "no user with login nobody; nothing was sent") {
		t.Errorf("link for an unknown login: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, _, errOut = harness.RunSupport(t, env, "send-link", "--user-id", "999999")
	if code != 1 || !strings.Contains(errOut, "no user with user id 999999; nothing was sent") {
		t.Errorf("send-link for an unknown id: exit %d, stderr %q", code, errOut)
	}
	var queued int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM pwreset_outbox").Scan(&queued); err != nil || queued != 0 {
		t.Fatalf("the outbox holds %d messages after refusals (%v), want 0", queued, err)
	}

	_, api := harness.ServePostgres(t, env)
	base := strings.TrimSuffix(api, "/api/v1/accounts/")
	if status, body := harness.Get(t, base+"/readyz"); status != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/readyz on PostgreSQL: %d %s", status, body)
	}
	for i := 1; i <= 2; i++ {
		code, out, errOut = harness.RunSupport(t, env, "send-link", "--user-id", id, "--wait")
		if code != 0 || !strings.Contains(out, "queued user id "+id) || !strings.Contains(out, "sent to alice@example.com") ||
			!strings.Contains(errOut, "reset_link.issued_by_operator") {
			t.Fatalf("send-link --wait #%d: exit %d\nstdout %s\nstderr %s", i, code, out, errOut)
		}
	}
	mails := harness.AwaitRelayed(t, relay, "alice@example.com", 2)
	harness.WantDetail(t, "reset with the relayed link", harness.ResetWith(t, api, harness.RelayedLink(t, mails[1]), harness.NewPassword),
		200, "Reset password successful")
}
