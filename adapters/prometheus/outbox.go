package prometheus

import (
	"context"
	"log/slog"
	"sync"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/pwreset/pwreset/ports"
)

// OutboxStates are the states pwreset_outbox_messages reports: those the outbox
// counts apart for e-mails and events.
var OutboxStates = ports.SplitStates

// Families of outbox messages, the values of the family label: a webhook receiver
// that is down piles up events, a mail provider that is down e-mails.
const (
	familyMail  = "mail"
	familyEvent = "event"
)

// OutboxFamilies are the values of the family label.
var OutboxFamilies = []string{familyMail, familyEvent}

var (
	outboxMessages = prom.NewDesc("pwreset_outbox_messages",
		"Messages in the shared outbox by state and family (mail or event), read at most once per cache period.",
		[]string{"state", "family"}, nil)
	outboxOldest = prom.NewDesc("pwreset_outbox_oldest_pending_age_seconds",
		"Age of the oldest message of the family (mail or event) not yet sent (pending or sending); 0 when there is none.",
		[]string{"family"}, nil)
)

// OutboxWatch says how the outbox gauges are read.
type OutboxWatch struct {
	Box   ports.Outbox
	Clock ports.Clock
	// Timeout bounds one read of the outbox (MONGODB_TIMEOUT, or DATABASE_TIMEOUT on PostgreSQL).
	Timeout time.Duration
	// CacheFor is how long one read serves scrapes: however many scrapes come, the
	// outbox is read at most once in that time.
	CacheFor time.Duration
	Log      *slog.Logger
}

// WatchOutbox registers the outbox gauges.
func (m *Metrics) WatchOutbox(w OutboxWatch) {
	m.registry.MustRegister(&outboxCollector{w: w})
}

// outboxCollector reads Outbox.Stats when scraped, through a cache.
type outboxCollector struct {
	w OutboxWatch

	// mu is held during a read, so that scrapes arriving meanwhile wait for it and
	// use its result rather than reading too.
	mu     sync.Mutex
	readAt time.Time
	stats  ports.OutboxStats
	err    error
}

// Describe implements prometheus.Collector.
func (c *outboxCollector) Describe(ch chan<- *prom.Desc) {
	ch <- outboxMessages
	ch <- outboxOldest
}

// Collect implements prometheus.Collector. When the outbox cannot be read, its
// series are left out of the scrape (and the error logged): a made-up zero would
// hide a backlog.
func (c *outboxCollector) Collect(ch chan<- prom.Metric) {
	stats, now, err := c.read()
	if err != nil {
		return
	}
	for _, family := range OutboxFamilies {
		share := stats.Mail
		if family == familyEvent {
			share = stats.Events
		}
		for _, s := range OutboxStates {
			ch <- prom.MustNewConstMetric(outboxMessages, prom.GaugeValue, float64(share.Counts[s]), s, family)
		}
		var age float64
		if !share.OldestPending.IsZero() {
			age = max(now.Sub(share.OldestPending).Seconds(), 0)
		}
		ch <- prom.MustNewConstMetric(outboxOldest, prom.GaugeValue, age, family)
	}
}

// read returns the stats of the last read if it is fresh, and reads them otherwise.
func (c *outboxCollector) read() (ports.OutboxStats, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.w.Clock.Now()
	if !c.readAt.IsZero() && now.Sub(c.readAt) < c.w.CacheFor {
		return c.stats, now, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.w.Timeout)
	defer cancel()
	c.stats, c.err = c.w.Box.Stats(ctx)
	c.readAt = now
	if c.err != nil && c.w.Log != nil {
		c.w.Log.Warn("metrics: read the outbox", "error", c.err)
	}
	return c.stats, now, c.err
}
