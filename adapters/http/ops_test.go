package http_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	pwhttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports/portstest"
)

func withOperations(o pwhttp.Operations) option {
	return func(s *setup) { s.http.Operations = o }
}

// requests records what the API tells its observer.
type requests struct {
	mu       sync.Mutex
	declared []string
	seen     []string
}

func (r *requests) Declare(route, method string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.declared = append(r.declared, fmt.Sprintf("%s %s %d", method, route, status))
}

func (r *requests) ObserveRequest(route, method string, status int, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if took <= 0 {
		status = -1 // a duration must be measured
	}
	r.seen = append(r.seen, fmt.Sprintf("%s %s %d", method, route, status))
}

func (r *requests) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen
	r.seen = nil
	return s
}

func TestRequestsAreObservedByRoutePatternWithTheirFinalStatus(t *testing.T) {
	obs := &requests{}
	f := newFixture(t, withOperations(pwhttp.Operations{Observer: obs}),
		withRates(pwhttp.Rate{Count: 1, Window: time.Hour}, pwhttp.Rate{}))
	const send = "/api/v1/accounts/send-reset-password-link/"
	for _, want := range []string{"POST " + send + " 200", "POST " + send + " 429", "POST " + send + " 499", "GET /healthz 200",
		"GET /readyz 503", "GET unmatched 404"} {
		if !slices.Contains(obs.declared, want) {
			t.Errorf("series %q not declared at start-up; declared: %v", want, obs.declared)
		}
	}
	f.post(sendPath, `{"login": "alice"}`)
	f.post("/api/v1/accounts/send-reset-password-link", `{"login": "alice"}`) // no slash; over the rate
	f.do(http.MethodGet, sendPath, "", "")
	f.do(http.MethodPost, resetPath, "text/plain", "x")
	f.do(http.MethodGet, "/api/v1/accounts/users/12345/", "", "")
	f.do(http.MethodPost, "/healthz", jsonType, "{}")
	f.do("BREW", "/healthz", "", "")
	f.do(http.MethodGet, "/readyz", "", "")
	want := []string{
		"POST " + send + " 200",
		"POST " + send + " 429",
		"GET " + send + " 405",
		"POST /api/v1/accounts/reset-password/ 415",
		"GET unmatched 404",
		"POST /healthz 405",
		"other /healthz 405",
		"GET /readyz 200",
	}
	if got := obs.take(); !slices.Equal(got, want) {
		t.Errorf("observed\n%v\nwant\n%v", got, want)
	}
}

// pinger fails, or hangs ignoring its context, as told.
type pinger struct {
	err  error
	hang chan struct{}
}

func (p pinger) Ping(context.Context) error {
	if p.hang != nil {
		<-p.hang
	}
	return p.err
}

// TestReadiness: /readyz answers 200 or 503; the public API says nothing of the
// backend (issue 18: it named the database), only an operator's address says why.
func TestReadiness(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.7:27017: connection refused") // must not reach the client
	failing := health.NewReadiness(pinger{err: cause}, "MongoDB", time.Second, time.Second, portstest.NewClock(time.Unix(1_700_000_000, 0)))
	for _, c := range []struct {
		name   string
		check  *health.Readiness
		reason bool
		status int
		body   string
	}{
		{"demo mode", nil, false, 200, `{"status": "ok"}`},
		{"store answers", health.NewReadiness(pinger{}, "MongoDB", time.Second, time.Second, portstest.NewClock(time.Unix(1_700_000_000, 0))), false, 200, `{"status": "ok"}`},
		{"store fails, public", failing, false, 503, `{"status": "unavailable"}`},
		{"store fails, for operators", failing, true, 503, `{"status": "unavailable", "reason": "MongoDB ping failed"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ops := pwhttp.Operations{ReadinessReason: c.reason}
			if c.check != nil {
				ops.Readiness = c.check
			}
			f := newFixture(t, withOperations(ops))
			expect(t, f.do(http.MethodGet, "/readyz", "", ""), c.status, c.body)
			if rec := f.do(http.MethodHead, "/readyz", "", ""); rec.Code != c.status {
				t.Errorf("HEAD /readyz: %d, want %d", rec.Code, c.status)
			}
			if !containsLine(f.logs.lines(t), "reason", "MongoDB ping failed") && c.status == 503 {
				t.Errorf("the reason is not logged:\n%s", f.logs)
			}
		})
	}
}

// A store that hangs for 30 s: /readyz answers 503 once the timeout has passed.
func TestReadinessOfAHangingStore(t *testing.T) {
	hang := make(chan struct{})
	release := time.AfterFunc(30*time.Second, func() { close(hang) })
	defer func() {
		if release.Stop() {
			close(hang)
		}
	}()
	check := health.NewReadiness(pinger{hang: hang}, "MongoDB", 100*time.Millisecond, time.Second, portstest.NewClock(time.Unix(1_700_000_000, 0)))
	f := newFixture(t, withOperations(pwhttp.Operations{Readiness: check, ReadinessReason: true}))
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- f.do(http.MethodGet, "/readyz", "", "") }()
	select {
	case rec := <-done:
		expect(t, rec, 503, `{"status": "unavailable", "reason": "MongoDB did not answer a ping within 100ms"}`)
	case <-time.After(20 * time.Second):
		t.Fatal("/readyz waits for a hanging store")
	}
}

func TestMetricsEndpoint(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintln(w, "pwreset_up 1")
	})
	f := newFixture(t, withOperations(pwhttp.Operations{Metrics: metrics}))
	if rec := f.do(http.MethodGet, "/metrics", "", ""); rec.Code != 200 || rec.Body.String() != "pwreset_up 1\n" {
		t.Errorf("GET /metrics: %d %q", rec.Code, rec.Body)
	}
	// By default (METRICS_ADDR, or nowhere): not on the API.
	f = newFixture(t)
	if rec := f.do(http.MethodGet, "/metrics", "", ""); rec.Code != 404 {
		t.Errorf("GET /metrics without a handler: %d, want 404", rec.Code)
	}
}

// OPTIONS on the operations paths answers 204 with the methods they serve.
func TestOperationsOptions(t *testing.T) {
	f := newFixture(t, withOperations(pwhttp.Operations{Metrics: http.NotFoundHandler()}))
	for path, allow := range map[string]string{"/healthz": "OPTIONS, GET, HEAD", "/readyz": "OPTIONS, GET, HEAD",
		"/metrics": "OPTIONS, GET"} {
		rec := f.do(http.MethodOptions, path, "", "")
		if rec.Code != http.StatusNoContent || rec.Header().Get("Allow") != allow {
			t.Errorf("OPTIONS %s: %d, Allow %q; want 204, %q", path, rec.Code, rec.Header().Get("Allow"), allow)
		}
	}
}

// TestOperatorHandler: the operator's address (METRICS_ADDR) serves /metrics and a
// /readyz that says why it is not ready, and nothing else.
func TestOperatorHandler(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "pwreset_up 1") })
	failing := health.NewReadiness(pinger{err: errors.New("refused")}, "PostgreSQL", time.Second, time.Second,
		portstest.NewClock(time.Unix(1_700_000_000, 0)))
	h := pwhttp.OperatorHandler(pwhttp.Operations{Metrics: metrics, Readiness: failing}, slog.New(slog.DiscardHandler))
	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, "/metrics", 200, "pwreset_up 1\n"},
		{http.MethodGet, "/readyz", 503, `{"status":"unavailable","reason":"PostgreSQL ping failed"}` + "\n"},
		{http.MethodHead, "/readyz", 503, ""},
		{http.MethodGet, "/api/v1/accounts/send-reset-password-link/", 404, ""},
		{http.MethodPost, "/metrics", 405, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status || (c.body != "" && rec.Body.String() != c.body) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, rec.Code, rec.Body, c.status, c.body)
		}
	}
}
