package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/ports"
)

// CampaignTool is the `pwreset campaign` command.
type CampaignTool struct {
	campaigns *campaign.Service
	clock     ports.Clock
}

// NewCampaignTool returns the campaign command.
func NewCampaignTool(campaigns *campaign.Service, clock ports.Clock) *CampaignTool {
	return &CampaignTool{campaigns: campaigns, clock: clock}
}

// Start stores a new campaign, prints its id on w and queues it until done,
// paused, cancelled or interrupted. bar, when not nil, shows a progress bar.
func (t *CampaignTool) Start(ctx context.Context, w, bar io.Writer, spec campaign.Spec) error {
	c, err := t.campaigns.Start(ctx, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "campaign %s started: %d users at most %g e-mails a second%s\n", c.ID, c.Total, c.Rate, invalidating(c))
	return t.run(ctx, w, bar, c)
}

// Resume runs a paused campaign, or one whose process stopped, from its cursor.
func (t *CampaignTool) Resume(ctx context.Context, w, bar io.Writer, id string) error {
	c, err := t.campaigns.Resume(ctx, id)
	if err != nil {
		return fmt.Errorf("resume campaign %s: %w", id, err)
	}
	fmt.Fprintf(w, "campaign %s resumed at %d of %d users\n", c.ID, c.Done, c.Total)
	return t.run(ctx, w, bar, c)
}

func (t *CampaignTool) run(ctx context.Context, w, bar io.Writer, c ports.Campaign) error {
	p := &progress{w: w, bar: bar, clock: t.clock, start: t.clock.Now(), from: c.Done}
	c, err := t.campaigns.WithObserver(p).Run(ctx, c.ID)
	p.end()
	if err != nil {
		return fmt.Errorf("campaign %s stopped at %d of %d users: %w; `pwreset campaign resume %s` goes on from there",
			c.ID, c.Done, c.Total, err, c.ID)
	}
	fmt.Fprintf(w, "campaign %s %s: %d users handled, %d e-mails queued\n", c.ID, c.State, c.Done, c.Queued)
	return nil
}

// Pause stops a running campaign after the page it is queueing.
func (t *CampaignTool) Pause(ctx context.Context, w io.Writer, id string) error {
	return t.control(w, id, "paused; `pwreset campaign resume "+id+"` goes on", func() (ports.Campaign, error) {
		return t.campaigns.Pause(ctx, id)
	})
}

// Cancel stops a campaign for good; e-mails queued already still go out.
func (t *CampaignTool) Cancel(ctx context.Context, w io.Writer, id string) error {
	return t.control(w, id, "cancelled; the e-mails queued already still go out", func() (ports.Campaign, error) {
		return t.campaigns.Cancel(ctx, id)
	})
}

func (t *CampaignTool) control(w io.Writer, id, what string, change func() (ports.Campaign, error)) error {
	c, err := change()
	if err != nil {
		return fmt.Errorf("campaign %s (%s): %w", id, c.State, err)
	}
	fmt.Fprintf(w, "campaign %s %s\n", id, what)
	return nil
}

// Status prints one campaign, or every campaign when id is empty.
func (t *CampaignTool) Status(ctx context.Context, w io.Writer, id string) error {
	all, err := t.campaigns.List(ctx)
	if id != "" {
		var c ports.Campaign
		c, err = t.campaigns.Get(ctx, id)
		all = []ports.Campaign{c}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-24s %-9s %9s %9s %9s %8s  %s\n", "ID", "STATE", "USERS", "DONE", "QUEUED", "RATE/S", "UPDATED")
	for _, c := range all {
		fmt.Fprintf(w, "%-24s %-9s %9d %9d %9d %8g  %s%s\n", c.ID, c.State, c.Total, c.Done, c.Queued, c.Rate,
			c.UpdatedAt.UTC().Format(time.RFC3339), invalidating(c))
	}
	return nil
}

func invalidating(c ports.Campaign) string {
	if c.Invalidate {
		return " (passwords marked unusable first)"
	}
	return ""
}
