package tracing

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
	"github.com/pwreset/pwreset/adapters/tracing/otlptest"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// An incoming trace: its id and the caller's span, which the request's span continues.
const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// TestTraceOnMongoDB runs the binary on FerretDB and the SendGrid stand-in: the
// scenario of checkTraces, with a span per MongoDB command in the steps.
func TestTraceOnMongoDB(t *testing.T) {
	db := mongotest.NewDatabase(t)
	userID := harness.SeedAlice(t, db)
	sg := sendgridtest.New(t)
	otlp := otlptest.New(t)
	p, api := harness.Serve(t, mongotest.URI(t), db.Name(), append(harness.MailEnv(sg), otlpEnv(otlp)...)...)
	run := scenario{p: p, api: api, login: "alice", email: "alice@example.com", userID: userID.Hex(),
		link: func() url.Values {
			return harness.LinkIn(t, harness.AwaitMails(t, sg, "alice@example.com", "reset_link", 1)[0])
		},
		roundTrips: true, deliveryJoins: true,
		secrets: []string{harness.SecretKey, sendgridtest.APIKey}}
	run.check(t, otlp)
}

// TestTraceInDemoMode runs the binary in demo mode (the in-memory stores, mail
// printed) with EVENTS_URL at a local receiver: the scenario of checkTraces, and
// the delivery of the password.changed event in the reset's trace.
func TestTraceInDemoMode(t *testing.T) {
	otlp := otlptest.New(t)
	events := webhooktest.Start(t)
	p := harness.Start(t, append([]string{"PATH=" + os.Getenv("PATH"), "HTTP_ADDR=127.0.0.1:0",
		"EVENTS_URL=" + events.URL, "EVENTS_SECRET=" + events.Secret, "OUTBOX_POLL_INTERVAL=200ms"}, otlpEnv(otlp)...), "serve")
	api := p.Await(t, regexp.MustCompile(`curl -s -X POST (http://\S+/)send-reset-password-link/`))[1]
	p.Await(t, harness.Listening)
	run := scenario{p: p, api: api, login: "demo", email: "demo@example.com", userID: "",
		link: func() url.Values {
			raw := p.Await(t, regexp.MustCompile(`^(http://\S+/reset-password/\?\S+)$`))[1]
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			return u.Query()
		},
		deliveryJoins: true, events: events, secrets: []string{events.Secret}}
	run.check(t, otlp)
}

// otlpEnv exports to otlp with the batch delay an hour long, so that every span the
// receiver gets was sent by the flush at shutdown, and a header for the collector.
func otlpEnv(otlp *otlptest.Receiver) []string {
	return []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL(), "OTEL_SERVICE_NAME=pwreset-e2e",
		"OTEL_EXPORTER_OTLP_HEADERS=x-collector-key=collector%20secret", "OTEL_BSP_SCHEDULE_DELAY=3600000"}
}

// scenario is a running binary with a user, and what its traces should show.
type scenario struct {
	p                    *harness.Process
	api                  string // ends in /api/v1/accounts/
	login, email, userID string
	link                 func() url.Values     // the link mailed to the user
	roundTrips           bool                  // a span per database command
	deliveryJoins        bool                  // the outbox keeps the traceparent
	secrets              []string              // beyond the user's and the link's
	events               *webhooktest.Receiver // EVENTS_URL, if set
}

// check asks for a link with a caller's traceparent, resets the password, waits for
// both mails, stops the binary and checks what the receiver got: the link request
// and the delivery of its mail in one trace, continued from the caller's; the reset
// and its held notice's delivery in another; the steps of each use case (and their
// database round trips); nothing secret in any span; nothing exported before the
// flush at shutdown.
func (s scenario) check(t *testing.T, otlp *otlptest.Receiver) {
	if status := post(t, s.api+"send-reset-password-link/", `{"login":"`+s.login+`"}`, "00-"+callerTrace+"-"+callerSpan+"-01"); status != http.StatusOK {
		t.Fatalf("send-reset-password-link answered %d", status)
	}
	link := s.link()
	if r := harness.ResetWith(t, s.api, link, harness.NewPassword); r.Status != http.StatusOK {
		t.Fatalf("reset answered %d: %v", r.Status, r.Body)
	}
	s.p.Await(t, regexp.MustCompile(`"msg":"mail sent".*"kind":"password_changed"`))
	if s.events != nil {
		if got, err := s.events.Await(1, 2*time.Minute); err != nil {
			t.Fatalf("%v: got %+v", err, got)
		}
	}
	if got := otlp.Spans(); len(got) != 0 {
		t.Fatalf("%d spans exported before shutdown with an hour's batch delay: %v", len(got), otlptest.Names(got))
	}
	if err := s.p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.p.Wait(); err != nil {
		t.Fatalf("pwreset did not stop cleanly: %v", err)
	}
	spans := otlp.Spans()
	t.Run("link request continues the caller's trace, delivery joins it", func(t *testing.T) { s.checkLink(t, spans) })
	t.Run("a reset has its steps, and its notice's delivery", func(t *testing.T) { s.checkReset(t, spans) })
	t.Run("no span holds a secret", func(t *testing.T) {
		signed := "reset-password/?" + link.Encode()
		secrets := append([]string{s.login, s.email, harness.OldPassword, harness.NewPassword, link.Get("signature"),
			link.Get("timestamp"), signed, s.userID, "collector secret"}, s.secrets...)
		for _, leak := range otlptest.Leaks(spans, secrets...) {
			t.Error(leak)
		}
		if h := otlp.Headers(); len(h) == 0 || h[0].Get("X-Collector-Key") != "collector secret" {
			t.Errorf("OTEL_EXPORTER_OTLP_HEADERS did not reach the collector")
		}
	})
}

func (s scenario) checkLink(t *testing.T, spans []otlptest.Span) {
	tr := traceOf(spans, callerTrace)
	server := tr.one(t, "POST /api/v1/accounts/send-reset-password-link/")
	if server.ParentID != callerSpan || server.Kind != "SPAN_KIND_SERVER" {
		t.Errorf("request span: parent %s kind %s, want the caller's %s, server", server.ParentID, server.Kind, callerSpan)
	}
	if server.Attributes["http.response.status_code"] != "200" || server.Attributes["http.route"] == "" {
		t.Errorf("request span attributes: %v", server.Attributes)
	}
	if server.Resource["service.name"] != "pwreset-e2e" {
		t.Errorf("service.name %q, want OTEL_SERVICE_NAME's", server.Resource["service.name"])
	}
	lookup := tr.childOf(t, "users.FindByLogin", server)
	queued := tr.childOf(t, "outbox.AddLimited", server)
	if s.roundTrips {
		tr.childOf(t, "find users", lookup)
		tr.childOfPrefix(t, "", "outbox", queued) // the write's round trip(s)
	}
	if !s.deliveryJoins {
		return
	}
	send := tr.childOf(t, "mail.Send", queued)
	if send.Kind != "SPAN_KIND_CLIENT" || send.Attributes["pwreset.outcome"] != "sent" ||
		send.Attributes["pwreset.mail.kind"] != "reset_link" {
		t.Errorf("delivery span: kind %s, attributes %v", send.Kind, send.Attributes)
	}
}

func (s scenario) checkReset(t *testing.T, spans []otlptest.Span) {
	var server otlptest.Span
	for _, sp := range spans {
		if sp.Name == "POST /api/v1/accounts/reset-password/" {
			server = sp
		}
	}
	if server.TraceID == "" || server.ParentID != "" {
		t.Fatalf("want one root span of the reset, got %+v among %v", server, otlptest.Names(spans))
	}
	tr := traceOf(spans, server.TraceID)
	lookup := tr.childOf(t, "users.FindByID", server)
	tr.childOf(t, "hasher.Hash", server)
	write := tr.childOf(t, "users.SetPassword", server)
	held := tr.childOf(t, "outbox.Add", server)
	tr.childOf(t, "outbox.Release", server)
	if s.roundTrips {
		tr.childOf(t, "find users", lookup)
		tr.childOfPrefix(t, "", "users", write)
	}
	if !s.deliveryJoins {
		return
	}
	if send := tr.childOf(t, "mail.Send", held); send.Attributes["pwreset.mail.kind"] != "password_changed" {
		t.Errorf("notice delivery attributes: %v", send.Attributes)
	}
	if s.events == nil {
		return
	}
	sent := tr.one(t, "event.Send")
	for _, step := range tr {
		if step.SpanID == sent.ParentID && strings.HasPrefix(step.Name, "outbox.") && step.ParentID == server.SpanID {
			return
		}
	}
	t.Errorf("the event's delivery is not the child of an outbox step of the reset: parent %s in %v", sent.ParentID, otlptest.Names(tr))
}

// post sends body to u with a traceparent header and returns the status.
func post(t *testing.T, u, body, traceparent string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", traceparent)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// trace is the spans of one trace.
type trace []otlptest.Span

func traceOf(spans []otlptest.Span, id string) trace {
	var tr trace
	for _, s := range spans {
		if s.TraceID == id {
			tr = append(tr, s)
		}
	}
	return tr
}

func (tr trace) one(t *testing.T, name string) otlptest.Span {
	t.Helper()
	for _, s := range tr {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no span %q in the trace: %v", name, otlptest.Names(tr))
	return otlptest.Span{}
}

// childOf returns the span named name whose parent is parent.
func (tr trace) childOf(t *testing.T, name string, parent otlptest.Span) otlptest.Span {
	t.Helper()
	return tr.childOfPrefix(t, name, "", parent)
}

// childOfPrefix returns a child of parent named name (any name if empty) whose name
// ends in suffix (any if empty).
func (tr trace) childOfPrefix(t *testing.T, name, suffix string, parent otlptest.Span) otlptest.Span {
	t.Helper()
	for _, s := range tr {
		if s.ParentID == parent.SpanID && (name == "" || s.Name == name) && strings.HasSuffix(s.Name, suffix) {
			return s
		}
	}
	var children []string
	for _, s := range tr {
		if s.ParentID == parent.SpanID {
			children = append(children, s.Name)
		}
	}
	t.Fatalf("no child %q (…%s) of %q; its children: %v", name, suffix, parent.Name, children)
	return otlptest.Span{}
}
