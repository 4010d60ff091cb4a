package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestStatementSpans: with WithTracing, each statement sent inside a trace is a span
// named by its operation and table, holding neither the statement's text nor its
// arguments nor the server's words; outside a trace, none.
func TestStatementSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	ctx := testCtx(t)
	pool, err := postgres.Connect(ctx, pgtest.NewSchema(t), 5*time.Second, postgres.WithTracing(tp))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	box := postgres.NewOutbox(pool, 5*time.Second)
	msg := ports.Message{Kind: "reset_link", UserID: "user-4242", To: "secret.person@example.com",
		Subject: "secret subject", Text: "https://front.example/reset-password/?signature=c2VjcmV0"}
	if _, err := box.Add(ctx, msg, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := exp.GetSpans(); len(got) != 0 {
		t.Fatalf("statements outside a trace made spans: %v", got.Snapshots())
	}

	ctx, request := tp.Tracer("test").Start(ctx, "request")
	id, err := box.Add(ctx, msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A statement the server refuses: its error quotes the value.
	_, err = pool.Exec(ctx, "SELECT 'secret.person@example.com'::int FROM pwreset_outbox WHERE id = $1", id)
	if err == nil {
		t.Fatal("the bad cast was accepted")
	}
	request.End()
	var insert, failed bool
	for _, s := range exp.GetSpans() {
		if s.Name == "request" {
			continue
		}
		if s.Parent.TraceID() != request.SpanContext().TraceID() {
			t.Errorf("span %q is not in the request's trace", s.Name)
		}
		insert = insert || s.Name == "INSERT pwreset_outbox"
		if s.Name == "SELECT pwreset_outbox" {
			failed = s.Status.Description == "statement failed" && attr(s, "db.response.status_code") == "22P02"
		}
		for _, text := range texts(s) {
			for _, secret := range []string{"secret", "user-4242", "example.com", "signature", "$1", "WHERE"} {
				if strings.Contains(text, secret) {
					t.Errorf("span %q holds %q in %q", s.Name, secret, text)
				}
			}
		}
	}
	if !insert || !failed {
		t.Errorf("want spans INSERT pwreset_outbox and a failed SELECT pwreset_outbox with its SQLSTATE: %v", names(exp.GetSpans()))
	}
}

func attr(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

func texts(s tracetest.SpanStub) []string {
	out := []string{s.Name, s.Status.Description}
	for _, a := range s.Attributes {
		out = append(out, string(a.Key), a.Value.Emit())
	}
	for _, e := range s.Events {
		out = append(out, e.Name)
		for _, a := range e.Attributes {
			out = append(out, a.Value.Emit())
		}
	}
	return out
}

func names(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
