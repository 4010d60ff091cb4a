package campaign

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// users is how many users the PostgreSQL campaign reaches, as issue 21 asks. The
// package took 78 s on a quiet machine (the race-detector binary queued 1,432 users
// a second, both kills and resumes included), 151 to 187 s at load average 12.
const users = 100_000

var started = regexp.MustCompile(`campaign (\S+) started`)

// TestKilledTwiceOnPostgres starts a campaign that marks passwords unusable over
// 100,000 users, kills the binary with SIGKILL twice mid-run (after a third and
// after two thirds of the users are in the outbox), resumes it each time, and
// counts in the outbox: exactly one e-mail for each user, none twice, and every
// password unusable.
func TestKilledTwiceOnPostgres(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, harness.DjangoTable); err != nil {
		t.Fatal(err)
	}
	harness.SeedDjangoUsers(t, pool, users) // one INSERT … SELECT generate_series
	// No serve delivers here, and the test counts what is queued: the campaign may
	// queue everything (TestCampaignWaitsForDelivery tests the bound).
	env := append(harness.PostgresEnv(dbURL, smtptest.Start(t, smtptest.Options{})), "CAMPAIGN_MAX_BACKLOG=0")
	begin := time.Now()

	p := harness.Start(t, env, "campaign", "start", "--rate", "1000000", "--invalidate-passwords")
	id := p.Await(t, started)[1]
	killWhenQueued(t, pool, p, users/3)
	p = harness.Start(t, env, "campaign", "resume", id)
	killWhenQueued(t, pool, p, 2*users/3)
	out, err := harness.Command(t, env, "campaign", "resume", id).CombinedOutput()
	if err != nil {
		t.Fatalf("last resume: %v\n%s", err, out)
	}
	elapsed := time.Since(begin)

	var messages, distinct, unusable int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT user_id) FROM pwreset_outbox
		WHERE kind = 'breach_reset' AND state = 'pending'`).Scan(&messages, &distinct); err != nil {
		t.Fatal(err)
	}
	if messages != users || distinct != users {
		t.Errorf("outbox: %d pending campaign e-mails to %d users; want one to each of %d", messages, distinct, users)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM auth_user WHERE password LIKE '!%'`).Scan(&unusable); err != nil || unusable != users {
		t.Errorf("%d unusable passwords (%v), want %d", unusable, err, users)
	}
	status := harness.RunTool(t, env, "campaign", "status", id)
	// DONE counts every user; QUEUED those a run saw queued, which a kill may leave
	// short by the page it interrupted (queued again, those users count as reached).
	if !regexp.MustCompile(fmt.Sprintf(`%s\s+done\s+%d\s+%d\s+\d+\s`, id, users, users)).MatchString(status) {
		t.Errorf("status after the last resume:\n%s", status)
	}
	t.Logf("%d users queued in %v with two kills: %.0f users/s (race-detector binary)", users, elapsed.Round(time.Millisecond),
		float64(users)/elapsed.Seconds())
}

// killWhenQueued kills p with SIGKILL once the outbox holds n campaign e-mails. It
// waits as long as p runs (no clock: a busy machine is only slower); p ending
// before is a failure.
func killWhenQueued(t *testing.T, pool *pgxpool.Pool, p *harness.Process, n int) {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- p.Wait() }()
	for {
		var queued int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pwreset_outbox WHERE kind = 'breach_reset'`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued >= n {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("pwreset ended (%v) with %d e-mails queued, before %d:\n%s", err, queued, n, strings.Join(p.Snapshot(), "\n"))
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := p.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
}
