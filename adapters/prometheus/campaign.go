package prometheus

import (
	"context"
	"log/slog"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/pwreset/pwreset/ports"
)

var (
	campaignUsers = prom.NewDesc("pwreset_campaign_users",
		"Users a breach-response campaign selected when it started.", []string{"campaign", "state"}, nil)
	campaignDone = prom.NewDesc("pwreset_campaign_users_done",
		"Users a campaign has handled: e-mailed, or skipped (no address, inactive, reached before).", []string{"campaign", "state"}, nil)
	campaignQueued = prom.NewDesc("pwreset_campaign_emails_queued",
		"Campaign e-mails queued in the outbox; pwreset_mail_deliveries_total{kind=\"breach_reset\"} counts their delivery.",
		[]string{"campaign", "state"}, nil)
)

// CampaignWatch says how the campaign gauges are read.
type CampaignWatch struct {
	Store   ports.CampaignStore
	Timeout time.Duration // bounds one read of the store
	Log     *slog.Logger
}

// WatchCampaigns registers the campaign gauges, read from the store at each scrape:
// every instance shows every campaign's progress, whichever instance runs it.
func (m *Metrics) WatchCampaigns(w CampaignWatch) {
	m.registry.MustRegister(campaignCollector{w})
}

type campaignCollector struct{ w CampaignWatch }

// Describe implements prometheus.Collector.
func (c campaignCollector) Describe(ch chan<- *prom.Desc) {
	ch <- campaignUsers
	ch <- campaignDone
	ch <- campaignQueued
}

// Collect implements prometheus.Collector; a store that cannot be read leaves the
// series out (and the error logged).
func (c campaignCollector) Collect(ch chan<- prom.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.w.Timeout)
	defer cancel()
	all, err := c.w.Store.List(ctx)
	if err != nil {
		if c.w.Log != nil {
			c.w.Log.Warn("metrics: read the campaigns", "error", err)
		}
		return
	}
	for _, k := range all {
		ch <- prom.MustNewConstMetric(campaignUsers, prom.GaugeValue, float64(k.Total), k.ID, k.State)
		ch <- prom.MustNewConstMetric(campaignDone, prom.GaugeValue, float64(k.Done), k.ID, k.State)
		ch <- prom.MustNewConstMetric(campaignQueued, prom.GaugeValue, float64(k.Queued), k.ID, k.State)
	}
}
