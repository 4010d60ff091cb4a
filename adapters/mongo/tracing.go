package mongo

import (
	"context"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongoevent "go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the command spans. OpenTelemetry's
// contrib otelmongo has no release for driver v2 yet, hence this monitor.
const tracerName = "github.com/pwreset/pwreset/adapters/mongo"

// WithTracing returns client options that make a span of every command sent inside
// a trace, named by the command and its collection ("find users"). The span holds the
// database, the command and the collection only: never the command's documents or
// filter (logins, addresses, hashes), nor the server's error text, which may quote
// them. Pass it to Connect.
func WithTracing(tp trace.TracerProvider) *options.ClientOptions {
	return options.Client().SetMonitor(newCommandTracer(tp).monitor())
}

// commandTracer keeps the span of each command in flight until its reply.
type commandTracer struct {
	tracer trace.Tracer
	spans  sync.Map // spanKey → trace.Span
}

type spanKey struct {
	conn string
	id   int64
}

func newCommandTracer(tp trace.TracerProvider) *commandTracer {
	return &commandTracer{tracer: tp.Tracer(tracerName)}
}

func (t *commandTracer) monitor() *mongoevent.CommandMonitor {
	return &mongoevent.CommandMonitor{Started: t.started, Succeeded: t.succeeded, Failed: t.failed}
}

func (t *commandTracer) started(ctx context.Context, e *mongoevent.CommandStartedEvent) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return // no request's trace: the dispatcher's polls, the purges, the pings
	}
	attrs := []attribute.KeyValue{
		attribute.String("db.system.name", "mongodb"),
		attribute.String("db.namespace", e.DatabaseName),
		attribute.String("db.operation.name", e.CommandName),
	}
	name := e.CommandName
	if coll := collectionOf(e.Command); coll != "" {
		attrs = append(attrs, attribute.String("db.collection.name", coll))
		name += " " + coll
	}
	_, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	t.spans.Store(spanKey{e.ConnectionID, e.RequestID}, span)
}

func (t *commandTracer) succeeded(_ context.Context, e *mongoevent.CommandSucceededEvent) {
	v, ok := t.spans.LoadAndDelete(spanKey{e.ConnectionID, e.RequestID})
	if !ok {
		return
	}
	span := v.(trace.Span)
	// A write the server refused (a duplicate key) answers ok with writeErrors, whose
	// messages quote the document: only the first code is kept.
	if errs, ok := e.Reply.Lookup("writeErrors").ArrayOK(); ok {
		if code, ok := firstCode(errs); ok {
			span.SetAttributes(attribute.String("db.response.status_code", strconv.FormatInt(code, 10)))
		}
		span.SetStatus(codes.Error, "write refused")
	}
	span.End()
}

func (t *commandTracer) failed(_ context.Context, e *mongoevent.CommandFailedEvent) {
	v, ok := t.spans.LoadAndDelete(spanKey{e.ConnectionID, e.RequestID})
	if !ok {
		return
	}
	span := v.(trace.Span)
	span.SetStatus(codes.Error, "command failed") // not e.Failure's text: it may quote a document
	span.End()
}

// collectionOf returns the collection a command names: the value of its first
// element for the CRUD commands ({find: "users", ...}), or its "collection" field
// (getMore); "" for commands on no collection (ping, endSessions).
func collectionOf(cmd bson.Raw) string {
	elems, err := cmd.Elements()
	if err != nil || len(elems) == 0 {
		return ""
	}
	if s, ok := elems[0].Value().StringValueOK(); ok {
		return s
	}
	if s, ok := cmd.Lookup("collection").StringValueOK(); ok {
		return s
	}
	return ""
}

// firstCode returns the code of the first of a reply's writeErrors.
func firstCode(errs bson.RawArray) (int64, bool) {
	first, err := errs.IndexErr(0)
	if err != nil {
		return 0, false
	}
	doc, ok := first.DocumentOK()
	if !ok {
		return 0, false
	}
	return doc.Lookup("code").AsInt64OK()
}
