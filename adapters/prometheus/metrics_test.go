package prometheus_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/ports"
)

// series returns "name{label=value,...}" for every series the registry holds.
func series(t *testing.T, g prom.Gatherer, prefix string) []string {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), prefix) {
			continue
		}
		for _, m := range f.GetMetric() {
			out = append(out, name(f, m))
		}
	}
	sort.Strings(out)
	return out
}

// name returns "name{label=value,...}" of series m of family f.
func name(f *dto.MetricFamily, m *dto.Metric) string {
	var labels []string
	for _, l := range m.GetLabel() {
		labels = append(labels, l.GetName()+"="+l.GetValue())
	}
	return f.GetName() + "{" + strings.Join(labels, ",") + "}"
}

func TestEveryOutcomeExistsAtZeroFromStartUp(t *testing.T) {
	m := prometheus.New()
	want := []string{
		"pwreset_event_deliveries_total{result=failed,type=password.changed}",
		"pwreset_event_deliveries_total{result=failed,type=reset_link.failed}",
		"pwreset_event_deliveries_total{result=failed,type=reset_link.sent}",
		"pwreset_event_deliveries_total{result=retry,type=password.changed}",
		"pwreset_event_deliveries_total{result=retry,type=reset_link.failed}",
		"pwreset_event_deliveries_total{result=retry,type=reset_link.sent}",
		"pwreset_event_deliveries_total{result=sent,type=password.changed}",
		"pwreset_event_deliveries_total{result=sent,type=reset_link.failed}",
		"pwreset_event_deliveries_total{result=sent,type=reset_link.sent}",
		"pwreset_hash_queue_length{}",
		"pwreset_link_requests_total{outcome=client_cap}",
		"pwreset_link_requests_total{outcome=cooldown}", "pwreset_link_requests_total{outcome=daily_cap}",
		"pwreset_link_requests_total{outcome=global_cap}", "pwreset_link_requests_total{outcome=no_email}",
		"pwreset_link_requests_total{outcome=queued}", "pwreset_link_requests_total{outcome=unknown_user}",
		"pwreset_mail_deliveries_total{kind=breach_reset,result=failed}",
		"pwreset_mail_deliveries_total{kind=breach_reset,result=retry}",
		"pwreset_mail_deliveries_total{kind=breach_reset,result=sent}",
		"pwreset_mail_deliveries_total{kind=password_changed,result=failed}",
		"pwreset_mail_deliveries_total{kind=password_changed,result=retry}",
		"pwreset_mail_deliveries_total{kind=password_changed,result=sent}",
		"pwreset_mail_deliveries_total{kind=reset_link,result=failed}",
		"pwreset_mail_deliveries_total{kind=reset_link,result=retry}",
		"pwreset_mail_deliveries_total{kind=reset_link,result=sent}",
		"pwreset_password_hash_duration_seconds{}",
		"pwreset_password_resets_total{outcome=expired}", "pwreset_password_resets_total{outcome=invalid_signature}",
		"pwreset_password_resets_total{outcome=password_refused}", "pwreset_password_resets_total{outcome=succeeded}",
	}
	if got := series(t, m.Registry(), "pwreset_"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("series at start-up:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if len(series(t, m.Registry(), name)) == 0 {
			t.Errorf("runtime or process series %s missing", name)
		}
	}
}

func TestAuditEventsCountOutcomes(t *testing.T) {
	m := prometheus.New()
	for _, e := range []ports.Event{
		{Name: audit.LinkQueued}, {Name: audit.LinkQueued},
		{Name: audit.LinkSuppressed, Reason: "cooldown"},
		{Name: audit.LinkSuppressed, Reason: "client_cap"},
		{Name: audit.LinkSuppressed, Reason: "something_new"}, // not a series anybody watches
		{Name: audit.LinkRequested},                           // not an outcome
		{Name: audit.ResetSucceeded},
		{Name: audit.ResetFailed, Reason: "expired"},
		{Name: audit.ResetFailed, Reason: "cooldown"}, // a link outcome, not a reset outcome
		{Name: "reset_link" + audit.DeliverySent}, {Name: "password_changed" + audit.DeliveryRetry},
		{Name: "reset_link" + audit.DeliveryFailed}, {Name: "newsletter.sent"},
		{Name: audit.LinkByOperator},
	} {
		m.Observe(e)
	}
	want := map[string]float64{
		"pwreset_link_requests_total{outcome=queued}":                       2,
		"pwreset_link_requests_total{outcome=cooldown}":                     1,
		"pwreset_link_requests_total{outcome=client_cap}":                   1,
		"pwreset_password_resets_total{outcome=succeeded}":                  1,
		"pwreset_password_resets_total{outcome=expired}":                    1,
		"pwreset_mail_deliveries_total{kind=reset_link,result=sent}":        1,
		"pwreset_mail_deliveries_total{kind=password_changed,result=retry}": 1,
		"pwreset_mail_deliveries_total{kind=reset_link,result=failed}":      1,
	}
	if n := len(series(t, m.Registry(), "pwreset_")); n != 31 {
		t.Errorf("%d series after events, want the 31 of start-up", n)
	}
	for s, v := range values(t, m.Registry()) {
		if v != want[s] {
			t.Errorf("%s = %v, want %v", s, v, want[s])
		}
	}
}

// values returns the value of every counter series named pwreset_*_total.
func values(t *testing.T, g prom.Gatherer) map[string]float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "pwreset_") || !strings.HasSuffix(f.GetName(), "_total") {
			continue
		}
		for _, m := range f.GetMetric() {
			out[name(f, m)] = m.GetCounter().GetValue()
		}
	}
	return out
}

func TestRequestsAreObservedByRoutePattern(t *testing.T) {
	m := prometheus.New()
	m.Declare("/readyz", "GET", 503)
	m.ObserveRequest("/api/v1/accounts/reset-password/", "POST", 400, 30*time.Millisecond)
	m.ObserveRequest("/api/v1/accounts/reset-password/", "POST", 400, 20*time.Millisecond)
	// A client that hung up: apart from the 5xx that PwresetHigh5xxRate counts.
	m.ObserveRequest("/api/v1/accounts/reset-password/", "POST", 499, 20*time.Millisecond)
	got := testutil.CollectAndCount(m.Registry(), "pwreset_http_request_duration_seconds")
	if got != 3 {
		t.Errorf("%d request series, want 3 (one declared, two observed)", got)
	}
	body := scrape(t, m.Handler())
	for _, line := range []string{
		`pwreset_http_request_duration_seconds_count{method="GET",route="/readyz",status="503"} 0`,
		`pwreset_http_request_duration_seconds_count{method="POST",route="/api/v1/accounts/reset-password/",status="400"} 2`,
		`pwreset_http_request_duration_seconds_bucket{method="POST",route="/api/v1/accounts/reset-password/",status="400",le="0.025"} 1`,
		`pwreset_http_request_duration_seconds_count{method="POST",route="/api/v1/accounts/reset-password/",status="499"} 1`,
	} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("scrape lacks %q", line)
		}
	}
}

func TestHashesAreTimed(t *testing.T) {
	m := prometheus.New()
	h := m.TimeHasher(fakeHasher{})
	if _, err := h.Hash("x"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Hash(""); !errors.Is(err, errEmpty) {
		t.Errorf("Hash error %v, want the hasher's", err)
	}
	if ok, _ := h.Verify("hash:x", "x"); !ok {
		t.Error("Verify does not reach the hasher")
	}
	if body := scrape(t, m.Handler()); !strings.Contains(body, "pwreset_password_hash_duration_seconds_count 2\n") {
		t.Errorf("two hashes not counted:\n%s", body)
	}
}

var errEmpty = errors.New("empty password")

type fakeHasher struct{}

func (fakeHasher) Hash(p string) (string, error) {
	if p == "" {
		return "", errEmpty
	}
	return "hash:" + p, nil
}

func (fakeHasher) Verify(hash, p string) (bool, error) { return hash == "hash:"+p, nil }

// scrape GETs the handler and returns the text format.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// TestHashQueueLength: the gauge reads the queue's length at each scrape, and is 0
// before anything is watched.
func TestHashQueueLength(t *testing.T) {
	m := prometheus.New()
	if body := scrape(t, m.Handler()); !strings.Contains(body, "pwreset_hash_queue_length 0\n") {
		t.Errorf("no hash queue gauge at start-up:\n%s", body)
	}
	var waiting atomic.Int64
	m.WatchHashQueue(func() int { return int(waiting.Load()) })
	waiting.Store(7)
	if body := scrape(t, m.Handler()); !strings.Contains(body, "pwreset_hash_queue_length 7\n") {
		t.Errorf("7 waiting requests not shown:\n%s", body)
	}
}
