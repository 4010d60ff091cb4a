package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// burstService starts the binary on a new schema holding alice and user0, with
// extra settings, and returns the API, the relay and the pool.
func burstService(t *testing.T, extra ...string) (string, *smtptest.Server, *pgxpool.Pool) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	harness.SeedDjangoAlice(t, pool)
	harness.SeedDjangoUsers(t, pool, 1)
	relay := smtptest.Start(t, smtptest.Options{User: "relay", Password: "relay-secret"})
	_, api := harness.ServePostgres(t, append(harness.PostgresEnv(dbURL, relay), extra...))
	return api, relay, pool
}

// TestPostgresPerIPLimitHoldsUnderABurst: 64 link requests from one address at
// once, with a per-IP limit of 10: at most 10 are answered 200, the rest 429.
func TestPostgresPerIPLimitHoldsUnderABurst(t *testing.T) {
	api, _, _ := burstService(t, "RATE_LIMIT_SEND_LINK=10/1h")
	got := harness.Burst(t, api, "user0", 64)
	if got[200] > 10 || got[200]+got[429] != 64 {
		t.Fatalf("answers %v; want at most 10 × 200 and the rest 429", got)
	}
}

// TestPostgresDailyCapHoldsUnderABurst: 40 link requests for one user at once,
// with a daily cap of 3 and no cooldown: at most 3 link e-mails go out.
func TestPostgresDailyCapHoldsUnderABurst(t *testing.T) {
	api, relay, pool := burstService(t, "RESET_PASSWORD_LINK_COOLDOWN=0", "RESET_PASSWORD_LINK_DAILY_CAP=3")
	if got := harness.Burst(t, api, "user0", 40); got[200] != 40 {
		t.Fatalf("answers %v; want 40 × 200 (the cap is silent)", got)
	}
	awaitOutboxDelivered(t, pool)
	if n := relayedTo(relay, "user0@example.com"); n != 3 {
		t.Fatalf("user0 got %d links; the daily cap is 3 and 40 asked", n)
	}
}

// TestPostgresCooldownHoldsWhenClientsHangUp: 60 link requests for one user at
// once, with a cooldown of an hour, every client hanging up at some moment: at
// most one link e-mail goes out.
func TestPostgresCooldownHoldsWhenClientsHangUp(t *testing.T) {
	api, relay, pool := burstService(t, "RESET_PASSWORD_LINK_COOLDOWN=1h")
	harness.HangUps(t, api, "user0", 60, 200*time.Millisecond)
	harness.WantDetail(t, "last request", harness.SendLink(t, api, "user0"), 200, "Reset link sent")
	awaitOutboxDelivered(t, pool)
	if n := relayedTo(relay, "user0@example.com"); n > 1 {
		t.Fatalf("user0 got %d links; the cooldown of an hour allows one", n)
	}
}

// awaitOutboxDelivered waits until no outbox row is pending or being sent.
func awaitOutboxDelivered(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	harness.AwaitSettled(t, "the outbox", func() (bool, error) {
		var n int
		err := pool.QueryRow(context.Background(),
			"SELECT count(*) FROM pwreset_outbox WHERE state IN ('pending', 'sending')").Scan(&n)
		return n == 0, err
	})
}

func relayedTo(relay *smtptest.Server, to string) int {
	n := 0
	for _, m := range relay.Messages() {
		if len(m.To) == 1 && m.To[0] == to {
			n++
		}
	}
	return n
}
