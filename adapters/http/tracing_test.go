package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/pwreset/pwreset/ports"
)

func withTracing(tp *sdktrace.TracerProvider) option {
	return func(s *setup) { s.http.Tracing = tp }
}

// An incoming trace, whose caller's span the request's continues.
const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
)

// TestRequestSpans: every request is a server span named by its method and route,
// continuing an incoming traceparent, with the status that was answered (errors
// included); nothing the client sent (body, query, login, address, signature) is
// in any span.
func TestRequestSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	f := newFixture(t, withTracing(tp), withPage)
	link := f.requestLink("alice")
	sig := "c2lnbmF0dXJlLXRoYXQtaXMtZmFrZQ"
	for _, tc := range []struct {
		name                string
		method, path, body  string
		traceparent         string
		span, route, status string
		failed              bool
	}{
		{"link, continued", "POST", sendPath, `{"login":"alice"}`, "00-" + callerTrace + "-" + callerSpan + "-01",
			"POST " + sendPath, sendPath, "200", false},
		{"refused reset, new trace", "POST", resetPath, jsonOf(map[string]any{"user_id": link.UserID, "timestamp": 1,
			"signature": sig, "password": "a perfectly fine passphrase"}), "", "POST " + resetPath, resetPath, "400", false},
		{"malformed traceparent, new trace", "POST", sendPath, `{"login":"alice@example.com"`, "00-zz-01",
			"POST " + sendPath, sendPath, "400", false},
		{"the page, query left out", "GET", "/reset-password/?user_id=1&timestamp=1&signature=" + sig, "", "",
			"GET /reset-password/", "/reset-password/", "200", false},
		{"no route", "GET", "/nowhere/alice@example.com?signature=" + sig, "", "", "GET", "unmatched", "404", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp.Reset()
			rec := f.do(tc.method, tc.path, jsonType, tc.body, "traceparent", tc.traceparent)
			var server tracetest.SpanStub
			for _, s := range exp.GetSpans() {
				if s.SpanKind.String() == "server" {
					server = s
				}
			}
			if server.Name != tc.span || attrOf(server, "http.route") != tc.route ||
				attrOf(server, "http.response.status_code") != tc.status || attrOf(server, "http.request.method") != tc.method {
				t.Fatalf("answer %d; server span %q %v", rec.Code, server.Name, server.Attributes)
			}
			if attrOf(server, "pwreset.request_id") != rec.Header().Get("X-Request-Id") {
				t.Errorf("request id %q, answer's %q", attrOf(server, "pwreset.request_id"), rec.Header().Get("X-Request-Id"))
			}
			continued := server.Parent.TraceID().String() == callerTrace && server.Parent.SpanID().String() == callerSpan
			if continued != strings.HasPrefix(tc.traceparent, "00-"+callerTrace) || (server.Status.Code == codes.Error) != tc.failed {
				t.Errorf("parent %v (remote %v), status %v", server.Parent, server.Parent.IsRemote(), server.Status)
			}
			for _, s := range exp.GetSpans() {
				for _, text := range spanTexts(s) {
					for _, secret := range []string{"alice", sig, link.Signature, "passphrase", "signature", "user_id"} {
						if strings.Contains(text, secret) {
							t.Errorf("span %q holds %q in %q", s.Name, secret, text)
						}
					}
				}
			}
		})
	}
}

// TestUseCaseStepsAreChildren: the request's span is in the context the use cases
// get, so that their steps are its children.
func TestUseCaseStepsAreChildren(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	var seen []string
	f := newFixture(t, withTracing(tp), withStore(spyStore{f: func(ctx context.Context) {
		_, s := tp.Tracer("step").Start(ctx, "step")
		s.End()
		seen = append(seen, s.SpanContext().TraceID().String())
	}}))
	f.do(http.MethodPost, sendPath, jsonType, `{"login":"someone"}`, "traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	if len(seen) == 0 || seen[0] != callerTrace {
		t.Fatalf("the use case's step ran in trace %v, want the request's %s", seen, callerTrace)
	}
}

func attrOf(s tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.Emit()
		}
	}
	return ""
}

func spanTexts(s tracetest.SpanStub) []string {
	out := []string{s.Name, s.Status.Description}
	for _, a := range s.Attributes {
		out = append(out, string(a.Key), a.Value.Emit())
	}
	return out
}

// spyStore knows no one, and shows each look-up's context to f.
type spyStore struct{ f func(context.Context) }

func (s spyStore) FindByLogin(ctx context.Context, _ string) (ports.User, error) {
	s.f(ctx)
	return ports.User{}, ports.ErrUserNotFound
}

func (s spyStore) FindByEmail(ctx context.Context, login string) (ports.User, error) {
	return s.FindByLogin(ctx, login)
}

func (s spyStore) FindByID(ctx context.Context, id string) (ports.User, error) {
	return s.FindByLogin(ctx, id)
}

func (spyStore) SetPassword(context.Context, ports.PasswordChange) error {
	return ports.ErrPasswordChanged
}
