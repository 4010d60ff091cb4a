package postgres

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the query spans.
const tracerName = "github.com/pwreset/pwreset/adapters/postgres"

// Option changes the pool Connect opens.
type Option func(*pgxpool.Config)

// WithTracing makes a span of every statement sent inside a trace, named by its
// operation and first table ("SELECT users"). The span holds the operation and the
// table only: never the statement's text or its arguments, nor the server's error
// text, which may quote a value; only its SQLSTATE.
func WithTracing(tp trace.TracerProvider) Option {
	return func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = queryTracer{tp.Tracer(tracerName)} }
}

// queryTracer is a pgx.QueryTracer of OpenTelemetry spans. (exaring/otelpgx would do,
// but records the statement's text unless told not to at every release: keeping only
// the operation and the table is simpler to trust written here.)
type queryTracer struct{ tracer trace.Tracer }

// TraceQueryStart implements pgx.QueryTracer.
func (q queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx // no request's trace: the dispatcher's polls, the purges, the pings
	}
	op, table := describe(data.SQL)
	attrs := []attribute.KeyValue{attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", op)}
	name := op
	if table != "" {
		attrs = append(attrs, attribute.String("db.collection.name", table))
		name += " " + table
	}
	ctx, _ = q.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (q queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if data.Err != nil {
		if code := sqlState(data.Err); code != "" {
			span.SetAttributes(attribute.String("db.response.status_code", code))
		}
		span.SetStatus(codes.Error, "statement failed")
	}
	span.End()
}

var (
	statementOp    = regexp.MustCompile(`^\s*([A-Za-z]+)`)
	statementTable = regexp.MustCompile(`(?i)\b(?:from|into|update|join)\s+("?[A-Za-z_][A-Za-z0-9_$."]*)`)
)

// describe returns a statement's operation (its first word) and the first table it
// names; the rest of the text, constants included, goes nowhere.
func describe(sql string) (op, table string) {
	op = "SQL"
	if m := statementOp.FindStringSubmatch(sql); m != nil {
		op = strings.ToUpper(m[1])
	}
	if m := statementTable.FindStringSubmatch(sql); m != nil {
		table = strings.ReplaceAll(m[1], `"`, "") // quoted identifiers, as pgx.Identifier writes them
	}
	return op, table
}

// sqlState returns the SQLSTATE of a server's error, "" for any other error.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
