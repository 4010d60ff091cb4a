package postgres

import (
	"net/url"
	"testing"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/adapters/tracing/otlptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestTraceOnPostgreSQL runs the binary on PostgreSQL (Django's auth_user) and the
// SMTP stand-in: the scenario of harness.TraceScenario, with a span per statement
// in the steps (the user read, the link's one-statement write, the password's).
func TestTraceOnPostgreSQL(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	// Alice's id is a serial number, 1: not a secret to look for in spans' hex ids.
	harness.SeedDjangoAlice(t, pgtest.Pool(t, dbURL))
	relay := smtptest.Start(t, smtptest.Options{User: "relay", Password: "relay-secret"})
	otlp := otlptest.New(t)
	p, api := harness.ServePostgres(t, append(harness.PostgresEnv(dbURL, relay), harness.OTLPEnv(otlp)...))
	run := harness.TraceScenario{P: p, API: api, Login: "alice", Email: "alice@example.com", UserID: "",
		Link: func() url.Values {
			return harness.RelayedLink(t, harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0])
		},
		Lookup: "SELECT auth_user", Queued: "SELECT pwreset_add_limited", Write: "UPDATE auth_user", DeliveryJoins: true,
		Secrets: []string{harness.SecretKey, "Liddell", "relay-secret"}}
	run.Check(t, otlp)
}
