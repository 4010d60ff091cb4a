package prometheus_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/ports"
)

// TestCampaignGauges reads each stored campaign's progress at scrape time.
func TestCampaignGauges(t *testing.T) {
	ctx := context.Background()
	store := memory.NewCampaignStore()
	now := time.Unix(1_700_000_000, 0)
	if err := store.Create(ctx, ports.Campaign{ID: "c1", State: ports.CampaignRunning, Rate: 10, Total: 100, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	m := prometheus.New()
	m.WatchCampaigns(prometheus.CampaignWatch{Store: store, Timeout: time.Second})
	if _, err := store.Advance(ctx, "c1", "40", 40, 38, now); err != nil {
		t.Fatal(err)
	}
	body := scrape(t, m.Handler())
	for _, want := range []string{`pwreset_campaign_users{campaign="c1",state="running"} 100`,
		`pwreset_campaign_users_done{campaign="c1",state="running"} 40`, `pwreset_campaign_emails_queued{campaign="c1",state="running"} 38`,
		`pwreset_mail_deliveries_total{kind="breach_reset",result="sent"} 0`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("scrape lacks %s:\n%s", want, body)
		}
	}
}
