package http_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
)

// specPath is the API document every answer of these tests is checked against.
const specPath = "../../docs/openapi.yaml"

// contract is the API document, loaded and routed once for all tests.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	// Pages are checked for their status, headers and media type; their text is theirs.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", specPath, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", specPath, err)
	}
	// Requests of the tests go to any host: route on paths alone.
	routed := *doc
	routed.Servers = nil
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("route %s: %w", specPath, err)
	}
	return &contract{doc: doc, router: router}, nil
})

func TestOpenAPIDocumentIsValid(t *testing.T) {
	if _, err := loadContract(); err != nil {
		t.Fatal(err)
	}
}

// checked returns h with every answer checked against the API document: its status
// must be documented for the operation, and its headers and body must match. Paths
// under a custom prefix (or page path) are looked up under the default one, and
// paths without their trailing slash with it (the document describes both in words).
func checked(t testing.TB, cfg pwhttp.Config, h http.Handler) http.Handler {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		// An answer to a client that has hung up is never sent: only the logs and the
		// metrics see it (TestClientHangUp), so the document need not describe it.
		if err := c.check(r, rec.Result(), cfg); err != nil && r.Context().Err() == nil {
			t.Errorf("%s %s answered %d, which %s does not describe:\n%v", r.Method, r.URL.Path, rec.Code, specPath, err)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// check validates one answer.
func (c *contract) check(r *http.Request, resp *http.Response, cfg pwhttp.Config) error {
	route, params, err := c.find(r, cfg)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// find returns the operation r is an answer to. A path the document lacks must get
// its NotFound answer, a method it lacks its MethodNotAllowed answer.
func (c *contract) find(r *http.Request, cfg pwhttp.Config) (*routers.Route, map[string]string, error) {
	path := r.URL.Path
	if p := normalPrefix(cfg.Page.Path, pwhttp.DefaultPagePath); cfg.Page.Enabled && p != pwhttp.DefaultPagePath &&
		(strings.HasPrefix(path, p) || path == strings.TrimSuffix(p, "/")) {
		path = pwhttp.DefaultPagePath + strings.TrimPrefix(path+"/", p) // the page and its forms
		path = strings.TrimSuffix(path, "/")
	} else if p := normalPrefix(cfg.Prefix, pwhttp.DefaultPrefix); p != pwhttp.DefaultPrefix && strings.HasPrefix(path, p) {
		path = pwhttp.DefaultPrefix + strings.TrimPrefix(path, p)
	}
	candidates := []string{path}
	if !strings.HasSuffix(path, "/") {
		candidates = append(candidates, path+"/")
	}
	var err error
	for _, p := range candidates {
		req := r.Clone(context.Background())
		req.URL.Path, req.URL.RawPath = p, ""
		var route *routers.Route
		var params map[string]string
		route, params, err = c.router.FindRoute(req)
		if err == nil {
			return route, params, nil
		}
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			return c.fallback(r, "405", "MethodNotAllowed"), nil, nil
		}
	}
	if errors.Is(err, routers.ErrPathNotFound) {
		return c.fallback(r, "404", "NotFound"), nil, nil
	}
	return nil, nil, err
}

// fallback is an operation whose one answer is the named shared response.
func (c *contract) fallback(r *http.Request, status, response string) *routers.Route {
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses()
	op.Responses.Set(status, &openapi3.ResponseRef{Ref: "#/components/responses/" + response,
		Value: c.doc.Components.Responses[response].Value})
	return &routers.Route{Spec: c.doc, Path: r.URL.Path, Method: r.Method, Operation: op}
}

// normalPrefix makes p a path that starts and ends with a slash; empty is def.
func normalPrefix(p, def string) string {
	if p == "" {
		return def
	}
	if p = strings.Trim(p, "/"); p == "" {
		return "/"
	}
	return "/" + p + "/"
}

// TestContractCatchesUndocumentedAnswers: the check above fails an answer the
// document does not describe, so that no test passes on an answer that drifted.
func TestContractCatchesUndocumentedAnswers(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	headers := http.Header{"Content-Type": {jsonType}, "Cache-Control": {"no-store"}, "X-Content-Type-Options": {"nosniff"},
		"Referrer-Policy": {"no-referrer"}, "X-Request-Id": {"id-1"}}
	for _, a := range []struct {
		name, method, path string
		status             int
		body               string
		ok                 bool
	}{
		{"documented error", http.MethodPost, sendPath, 400, `{"detail": "User not found"}`, true},
		{"documented, no slash", http.MethodPost, strings.TrimSuffix(sendPath, "/"), 400, `{"detail": "User not found"}`, true},
		{"undocumented status", http.MethodPost, sendPath, 418, `{"detail": "teapot"}`, false},
		{"wrong error shape", http.MethodPost, sendPath, 404, `{"error": "Not found."}`, false},
		{"wrong health", http.MethodGet, "/healthz", 200, `{"status": "fine"}`, false},
		{"unknown path, right answer", http.MethodGet, "/nope", 404, `{"detail": "Not found."}`, true},
		{"unknown path, other answer", http.MethodGet, "/nope", 200, `{"detail": "hello"}`, false},
		{"unknown method, other answer", http.MethodDelete, "/healthz", 200, `{"status": "ok"}`, false},
	} {
		t.Run(a.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: a.status, Header: headers, Body: io.NopCloser(strings.NewReader(a.body))}
			err := c.check(httptest.NewRequest(a.method, a.path, nil), resp, pwhttp.Config{})
			if (err == nil) != a.ok {
				t.Errorf("check = %v, want ok %v", err, a.ok)
			}
		})
	}
}
