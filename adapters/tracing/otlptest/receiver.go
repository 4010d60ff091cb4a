// Package otlptest is an in-process OTLP/HTTP trace receiver for tests: it decodes
// what an OpenTelemetry exporter sends to /v1/traces (protobuf, gzip or not) and
// keeps the spans for the test to read.
package otlptest

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one received span, its ids in hex.
type Span struct {
	TraceID, SpanID, ParentID string
	Name                      string
	Kind                      string // SPAN_KIND_SERVER, ...
	Attributes                map[string]string
	StatusCode                string // STATUS_CODE_ERROR, ...
	StatusMessage             string
	Resource                  map[string]string
	Scope                     string
	// Texts are every string the span carries (name, attribute keys and values,
	// status, events, links' attributes, resource), for deny-list checks.
	Texts []string
}

// Receiver is an OTLP/HTTP endpoint that records the spans it receives.
type Receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	spans   []Span
	headers []http.Header
}

// New starts a receiver, closed when the test ends.
func New(t testing.TB) *Receiver {
	r := &Receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL is the receiver's base URL: OTEL_EXPORTER_OTLP_ENDPOINT.
func (r *Receiver) URL() string { return r.srv.URL }

// Spans returns the spans received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Headers returns the headers of each export received so far.
func (r *Receiver) Headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

// Await returns the spans once done says they are all there, waiting up to 20 s.
func (r *Receiver) Await(t testing.TB, what string, done func([]Span) bool) []Span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		spans := r.Spans()
		if done(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s among the %d spans received in 20 s: %v", what, len(spans), Names(spans))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Names lists the spans' names.
func Names(spans []Span) []string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	return names
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		http.Error(w, "POST /v1/traces only", http.StatusNotFound)
		return
	}
	body := io.Reader(req.Body)
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	var msg coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(raw, &msg)
	}
	if err != nil || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, fmt.Sprintf("not an OTLP protobuf export: %v", err), http.StatusBadRequest)
		return
	}
	r.record(req.Header, &msg)
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func (r *Receiver) record(h http.Header, msg *coltracepb.ExportTraceServiceRequest) {
	var spans []Span
	for _, rs := range msg.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				spans = append(spans, convert(s, res, ss.GetScope().GetName()))
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, h.Clone())
	r.spans = append(r.spans, spans...)
}

func convert(s *tracepb.Span, res map[string]string, scope string) Span {
	span := Span{
		TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
		ParentID: hex.EncodeToString(s.GetParentSpanId()), Name: s.GetName(), Kind: s.GetKind().String(),
		Attributes: attrs(s.GetAttributes()), StatusCode: s.GetStatus().GetCode().String(),
		StatusMessage: s.GetStatus().GetMessage(), Resource: res, Scope: scope,
	}
	span.Texts = append(span.Texts, span.Name, span.StatusMessage)
	for _, m := range []map[string]string{span.Attributes, res} {
		for k, v := range m {
			span.Texts = append(span.Texts, k, v)
		}
	}
	for _, e := range s.GetEvents() {
		span.Texts = append(span.Texts, e.GetName())
		for k, v := range attrs(e.GetAttributes()) {
			span.Texts = append(span.Texts, k, v)
		}
	}
	for _, l := range s.GetLinks() {
		for k, v := range attrs(l.GetAttributes()) {
			span.Texts = append(span.Texts, k, v)
		}
	}
	return span
}

// attrs flattens OTLP attributes to strings.
func attrs(kvs []*commonpb.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[kv.GetKey()] = value(kv.GetValue())
	}
	return m
}

func value(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return fmt.Sprint(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return fmt.Sprint(x.IntValue)
	case *commonpb.AnyValue_DoubleValue:
		return fmt.Sprint(x.DoubleValue)
	case *commonpb.AnyValue_BytesValue:
		return hex.EncodeToString(x.BytesValue)
	}
	return v.String() // arrays and maps: their text holds every string inside
}
