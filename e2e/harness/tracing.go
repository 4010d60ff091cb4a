package harness

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/tracing/otlptest"
	"github.com/pwreset/pwreset/adapters/webhook/webhooktest"
)

// An incoming trace of the tracing scenario: its id and the caller's span, which
// the request's span continues.
const (
	CallerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	CallerSpan  = "00f067aa0ba902b7"
)

// OTLPEnv exports to otlp with the batch delay an hour long, so that every span the
// receiver gets was sent by the flush at shutdown, and a header for the collector.
func OTLPEnv(otlp *otlptest.Receiver) []string {
	return []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.URL(), "OTEL_SERVICE_NAME=pwreset-e2e",
		"OTEL_EXPORTER_OTLP_HEADERS=x-collector-key=collector%20secret", "OTEL_BSP_SCHEDULE_DELAY=3600000"}
}

// TraceScenario is a running binary with a user, and what its traces should show.
type TraceScenario struct {
	P                     *Process
	API                   string // ends in /api/v1/accounts/
	Login, Email, UserID  string
	Link                  func() url.Values     // the link mailed to the user
	Lookup, Queued, Write string                // the database spans under the look-up, the link's write and the password's (names, or suffixes of names); empty: none
	DeliveryJoins         bool                  // the outbox keeps the traceparent
	Secrets               []string              // beyond the user's and the link's
	Events                *webhooktest.Receiver // EVENTS_URL, if set
}

// Check asks for a link with a caller's traceparent, resets the password, waits for
// both mails, stops the binary and checks what the receiver got: the link request
// and the delivery of its mail in one trace, continued from the caller's; the reset
// and its held notice's delivery in another; the steps of each use case (and their
// database round trips); nothing secret in any span; nothing exported before the
// flush at shutdown.
func (s TraceScenario) Check(t *testing.T, otlp *otlptest.Receiver) {
	if status := postTraced(t, s.API+"send-reset-password-link/", `{"login":"`+s.Login+`"}`, "00-"+CallerTrace+"-"+CallerSpan+"-01"); status != http.StatusOK {
		t.Fatalf("send-reset-password-link answered %d", status)
	}
	link := s.Link()
	if r := ResetWith(t, s.API, link, NewPassword); r.Status != http.StatusOK {
		t.Fatalf("reset answered %d: %v", r.Status, r.Body)
	}
	s.P.Await(t, regexp.MustCompile(`"msg":"mail sent".*"kind":"password_changed"`))
	if s.Events != nil {
		if got, err := s.Events.Await(1, 2*time.Minute); err != nil {
			t.Fatalf("%v: got %+v", err, got)
		}
	}
	if got := otlp.Spans(); len(got) != 0 {
		t.Fatalf("%d spans exported before shutdown with an hour's batch delay: %v", len(got), otlptest.Names(got))
	}
	if err := s.P.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.P.Wait(); err != nil {
		t.Fatalf("pwreset did not stop cleanly: %v", err)
	}
	spans := otlp.Spans()
	t.Run("link request continues the caller's trace, delivery joins it", func(t *testing.T) { s.checkLink(t, spans) })
	t.Run("a reset has its steps, and its notice's delivery", func(t *testing.T) { s.checkReset(t, spans) })
	t.Run("no span holds a secret", func(t *testing.T) {
		signed := "reset-password/?" + link.Encode()
		secrets := append([]string{s.Login, s.Email, OldPassword, NewPassword, link.Get("signature"),
			link.Get("timestamp"), signed, s.UserID, "collector secret"}, s.Secrets...)
		for _, leak := range otlptest.Leaks(spans, secrets...) {
			t.Error(leak)
		}
		if h := otlp.Headers(); len(h) == 0 || h[0].Get("X-Collector-Key") != "collector secret" {
			t.Errorf("OTEL_EXPORTER_OTLP_HEADERS did not reach the collector")
		}
	})
}

func (s TraceScenario) checkLink(t *testing.T, spans []otlptest.Span) {
	tr := traceOf(spans, CallerTrace)
	server := tr.one(t, "POST /api/v1/accounts/send-reset-password-link/")
	if server.ParentID != CallerSpan || server.Kind != "SPAN_KIND_SERVER" {
		t.Errorf("request span: parent %s kind %s, want the caller's %s, server", server.ParentID, server.Kind, CallerSpan)
	}
	if server.Attributes["http.response.status_code"] != "200" || server.Attributes["http.route"] == "" {
		t.Errorf("request span attributes: %v", server.Attributes)
	}
	if server.Resource["service.name"] != "pwreset-e2e" {
		t.Errorf("service.name %q, want OTEL_SERVICE_NAME's", server.Resource["service.name"])
	}
	lookup := tr.childOf(t, "users.FindByLogin", server)
	queued := tr.childOf(t, "outbox.AddLimited", server)
	if s.Lookup != "" {
		tr.childOfPrefix(t, "", s.Lookup, lookup)
		tr.childOfPrefix(t, "", s.Queued, queued) // the write's round trip(s)
	}
	if !s.DeliveryJoins {
		return
	}
	send := tr.childOf(t, "mail.Send", queued)
	if send.Kind != "SPAN_KIND_CLIENT" || send.Attributes["pwreset.outcome"] != "sent" ||
		send.Attributes["pwreset.mail.kind"] != "reset_link" {
		t.Errorf("delivery span: kind %s, attributes %v", send.Kind, send.Attributes)
	}
}

func (s TraceScenario) checkReset(t *testing.T, spans []otlptest.Span) {
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
	if s.Lookup != "" {
		tr.childOfPrefix(t, "", s.Lookup, lookup)
		tr.childOfPrefix(t, "", s.Write, write)
	}
	if !s.DeliveryJoins {
		return
	}
	if send := tr.childOf(t, "mail.Send", held); send.Attributes["pwreset.mail.kind"] != "password_changed" {
		t.Errorf("notice delivery attributes: %v", send.Attributes)
	}
	if s.Events == nil {
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

// postTraced sends body to u with a traceparent header and returns the status.
func postTraced(t *testing.T, u, body, traceparent string) int {
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
