package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestCommandSpans: with WithTracing, each command sent inside a trace is a span
// named by the command and its collection, holding neither the command's documents
// nor the server's words; outside a trace, none.
func TestCommandSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	ctx := testCtx(t)
	client, err := mongo.Connect(ctx, mongotest.URI(t), 10*time.Second, mongo.WithTracing(tp))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	db := client.Database(mongotest.NewDatabase(t).Name())
	box := mongo.NewOutbox(db, mongo.OutboxConfig{})
	msg := ports.Message{Kind: "reset_link", UserID: "user-4242", To: "secret.person@example.com",
		Subject: "secret subject", Text: "https://front.example/reset-password/?signature=c2VjcmV0"}
	if _, err := box.Add(ctx, msg, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := exp.GetSpans(); len(got) != 0 {
		t.Fatalf("commands outside a trace made spans: %v", got.Snapshots())
	}

	ctx, request := tp.Tracer("test").Start(ctx, "request")
	if _, err := box.Add(ctx, msg, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A command the server refuses: its error quotes the duplicate key.
	coll := db.Collection("people")
	doc := bson.D{{Key: "_id", Value: "secret.person@example.com"}}
	coll.InsertOne(ctx, doc)
	if _, err := coll.InsertOne(ctx, doc); err == nil {
		t.Fatal("the duplicate key was accepted")
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
		insert = insert || (s.Name == "insert outbox" && attr(s, "db.collection.name") == "outbox")
		failed = failed || (s.Name == "insert people" && s.Status.Description == "write refused" &&
			attr(s, "db.response.status_code") == "11000")
		for _, text := range texts(s) {
			for _, secret := range []string{"secret", "user-4242", "example.com", "signature"} {
				if strings.Contains(text, secret) {
					t.Errorf("span %q holds %q in %q", s.Name, secret, text)
				}
			}
		}
	}
	if !insert || !failed {
		t.Errorf("want spans insert outbox and a refused insert people (11000): %v", spanNames(exp.GetSpans()))
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

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}
