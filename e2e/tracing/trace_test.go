package tracing

import (
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/adapters/tracing/otlptest"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestTraceOnMongoDB runs the binary on FerretDB and the SendGrid stand-in: the
// scenario of harness.TraceScenario, with a span per MongoDB command in the steps.
func TestTraceOnMongoDB(t *testing.T) {
	db := mongotest.NewDatabase(t)
	userID := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	otlp := otlptest.New(t)
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg), harness.OTLPEnv(otlp)...)...)
	run := harness.TraceScenario{P: p, API: api, Login: "alice", Email: "alice@example.com", UserID: userID.Hex(),
		Link: func() url.Values {
			return harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", "reset_link", 1)[0])
		},
		Lookup: "find users", Queued: " outbox", Write: " users", DeliveryJoins: true,
		Secrets: []string{harness.SecretKey, sendgridtest.APIKey}}
	run.Check(t, otlp)
}

// TestTraceInDemoMode runs the binary in demo mode (the in-memory stores, mail
// printed) with EVENTS_URL at a local receiver: the scenario of harness.TraceScenario, and
// the delivery of the password.changed event in the reset's trace.
func TestTraceInDemoMode(t *testing.T) {
	otlp := otlptest.New(t)
	events := webhooktest.Start(t)
	p := harness.Start(t, append([]string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0",
		"EVENTS_URL=" + events.URL, "EVENTS_SECRET=" + events.Secret, "OUTBOX_POLL_INTERVAL=200ms"}, harness.OTLPEnv(otlp)...), "serve")
	api := p.Await(t, regexp.MustCompile(`curl -s -X POST (http://\S+/)send-reset-password-link/`))[1]
	p.Await(t, harness.Listening)
	run := harness.TraceScenario{P: p, API: api, Login: "demo", Email: "demo@example.com", UserID: "",
		Link: func() url.Values {
			raw := p.Await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			return u.Query()
		},
		DeliveryJoins: true, Events: events, Secrets: []string{events.Secret}}
	run.Check(t, otlp)
}
