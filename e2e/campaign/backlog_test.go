package campaign

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

var waits = regexp.MustCompile(`campaign \S+ waits: (\d+) e-mails wait in the outbox`)

// TestCampaignWaitsForDelivery: a campaign over 2,500 users queued unpaced, with
// nothing delivering, stops queueing once more than CAMPAIGN_MAX_BACKLOG (1,000)
// e-mails wait in the outbox, and says so; once a serve delivers, it goes on to
// the end, and each user gets exactly one e-mail.
func TestCampaignWaitsForDelivery(t *testing.T) {
	const n = 2500
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, harness.DjangoTable); err != nil {
		t.Fatal(err)
	}
	harness.SeedDjangoUsers(t, pool, n)
	relay := smtptest.Start(t, smtptest.Options{})
	env := harness.PostgresEnv(dbURL, relay)

	p := harness.Start(t, env, "campaign", "start", "--rate", "1000000")
	backlog, _ := strconv.Atoi(p.Await(t, waits)[1])
	var queued int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pwreset_outbox WHERE kind = 'breach_reset'`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	// It looks before each page of 500: it saw more than 1,000 after the third.
	if backlog != 1500 || queued != 1500 {
		t.Errorf("the campaign waited with %d e-mails counted and %d queued; want 1,500 and 1,500", backlog, queued)
	}

	harness.ServePostgres(t, env)
	if err := p.Wait(); err != nil {
		t.Fatalf("campaign: %v\n%s", err, strings.Join(p.Snapshot(), "\n"))
	}
	if out := strings.Join(p.Snapshot(), "\n"); !strings.Contains(out, "done: 2500 users handled, 2500 e-mails queued") {
		t.Errorf("campaign output:\n%s", out)
	}
	awaitEach(t, relay, n)
}

// awaitEach waits until the relay has a message for n recipients, and checks that
// none got two.
func awaitEach(t *testing.T, relay *smtptest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		per := map[string]int{}
		for _, m := range relay.Messages() {
			per[m.To[0]]++
		}
		for to, k := range per {
			if k > 1 {
				t.Fatalf("%s got %d e-mails", to, k)
			}
		}
		if len(per) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes %d of %d users got their e-mail", len(per), n)
		}
		select {
		case <-relay.Received():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
