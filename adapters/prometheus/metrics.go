// Package prometheus exposes pwreset's metrics in Prometheus' format with the
// official client library: the outcomes of link requests, resets and mail
// deliveries (counted from the audit events), HTTP and hashing latencies, the hash
// queue, the outbox backlog, the deliveries of events to EVENTS_URL, and the Go runtime and process collectors.
package prometheus

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Label values. Every one is created at zero when Metrics is made, so that alerts
// and dashboards work before the first event; events with other values are not
// counted (they would be new series nobody watches).
var (
	// LinkOutcomes are the outcomes of a request for a link.
	LinkOutcomes = []string{"queued", reset.ReasonUnknownUser, reset.ReasonNoEmail, reset.ReasonCooldown,
		reset.ReasonDailyCap, reset.ReasonClientCap, reset.ReasonGlobalCap}
	// ResetOutcomes are the outcomes of a password reset.
	ResetOutcomes = []string{"succeeded", reset.ReasonInvalidSignature, reset.ReasonExpired, reset.ReasonPasswordRefused}
	// MailKinds are the kinds of e-mail pwreset sends.
	MailKinds = []string{reset.KindResetLink, reset.KindPasswordChanged, reset.KindBreachReset}
	// EventTypes are the types of event delivered to EVENTS_URL: the type, never
	// an event's id or the URL, labels their deliveries.
	EventTypes = event.Types
	// DeliveryResults are the outcomes of one delivery attempt, of e-mail or event.
	DeliveryResults = []string{"sent", "retry", "failed"}
)

// Metrics holds pwreset's series in a registry of its own (nothing global), and
// implements ports.EventObserver and ports.RequestObserver.
type Metrics struct {
	registry   *prom.Registry
	links      *prom.CounterVec
	resets     *prom.CounterVec
	deliveries *prom.CounterVec
	events     *prom.CounterVec
	requests   *prom.HistogramVec
	hashes     prom.Histogram
	hashQueue  *hashQueue
}

// New returns the metrics with every series of a fixed label value at zero.
func New() *Metrics {
	m := &Metrics{
		registry: prom.NewRegistry(),
		links: prom.NewCounterVec(prom.CounterOpts{Name: "pwreset_link_requests_total",
			Help: "Requests for a reset-password link, by outcome."}, []string{"outcome"}),
		resets: prom.NewCounterVec(prom.CounterOpts{Name: "pwreset_password_resets_total",
			Help: "Password reset attempts with a link, by outcome."}, []string{"outcome"}),
		deliveries: prom.NewCounterVec(prom.CounterOpts{Name: "pwreset_mail_deliveries_total",
			Help: "Mail delivery attempts by this instance, by kind of e-mail and result."}, []string{"kind", "result"}),
		events: prom.NewCounterVec(prom.CounterOpts{Name: "pwreset_event_deliveries_total",
			Help: "Attempts by this instance to deliver an event to EVENTS_URL, by type of event and result."},
			[]string{"type", "result"}),
		requests: prom.NewHistogramVec(prom.HistogramOpts{Name: "pwreset_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status.",
			Buckets: prom.DefBuckets}, []string{"route", "method", "status"}),
		hashes: prom.NewHistogram(prom.HistogramOpts{Name: "pwreset_password_hash_duration_seconds",
			Help:    "Time to hash a new password, without the wait for a free hashing slot.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		hashQueue: newHashQueue(),
	}
	for _, o := range LinkOutcomes {
		m.links.WithLabelValues(o)
	}
	for _, o := range ResetOutcomes {
		m.resets.WithLabelValues(o)
	}
	for _, k := range MailKinds {
		for _, r := range DeliveryResults {
			m.deliveries.WithLabelValues(k, r)
		}
	}
	for _, t := range EventTypes {
		for _, r := range DeliveryResults {
			m.events.WithLabelValues(t, r)
		}
	}
	m.registry.MustRegister(m.links, m.resets, m.deliveries, m.events, m.requests, m.hashes, m.hashQueue.gauge,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the series live, for more collectors and for tests.
func (m *Metrics) Registry() *prom.Registry { return m.registry }

// Handler serves the series in Prometheus' text (or protobuf) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		// A collector that fails leaves its series out; the others are still served.
		ErrorHandling: promhttp.ContinueOnError,
		// A burst of scrapes cannot pile up.
		MaxRequestsInFlight: 4,
		Timeout:             30 * time.Second,
	})
}

// Observe implements ports.EventObserver: it counts the audit events that are
// outcomes of a link request, a reset or a delivery.
func (m *Metrics) Observe(e ports.Event) {
	switch e.Name {
	case audit.LinkQueued:
		count(m.links, LinkOutcomes, "queued")
	case audit.LinkSuppressed:
		count(m.links, LinkOutcomes, e.Reason)
	case audit.ResetSucceeded:
		count(m.resets, ResetOutcomes, "succeeded")
	case audit.ResetFailed:
		count(m.resets, ResetOutcomes, e.Reason)
	default:
		m.delivery(e.Name)
	}
}

// delivery counts a delivery event, named <outbox kind>.<result>: an e-mail's
// ("reset_link.sent") or an event's ("event.password.changed.retry").
func (m *Metrics) delivery(name string) {
	for _, r := range DeliveryResults {
		kind, ok := strings.CutSuffix(name, "."+r)
		if !ok {
			continue
		}
		if typ := event.TypeOf(kind); typ != "" {
			if slices.Contains(EventTypes, typ) {
				m.events.WithLabelValues(typ, r).Inc()
			}
		} else if slices.Contains(MailKinds, kind) {
			m.deliveries.WithLabelValues(kind, r).Inc()
		}
		return
	}
}

// count increments the series of vec with value, if value is one of allowed (the
// values created at start-up).
func count(vec *prom.CounterVec, allowed []string, value string) {
	if slices.Contains(allowed, value) {
		vec.WithLabelValues(value).Inc()
	}
}

// Declare implements ports.RequestObserver.
func (m *Metrics) Declare(route, method string, status int) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status))
}

// ObserveRequest implements ports.RequestObserver.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}
