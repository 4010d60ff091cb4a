package app

import (
	"errors"
	"fmt"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/domain/campaign"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// CampaignSet holds the Wire providers of `pwreset campaign`: Core without a server.
var CampaignSet = wire.NewSet(Core, wire.Value(Listener{}), ProvideCampaigns, NewCampaignTool)

// CampaignSettings say how `pwreset campaign` paces itself besides its --rate.
type CampaignSettings struct {
	// MaxBacklog holds a campaign back while more e-mails than this wait in the
	// outbox (domain/campaign awaitDelivery; events do not count); 0: none.
	MaxBacklog int `env:"CAMPAIGN_MAX_BACKLOG" envDefault:"1000"`
}

func (s CampaignSettings) problems() []error {
	if s.MaxBacklog < 0 {
		return []error{fmt.Errorf("CAMPAIGN_MAX_BACKLOG (%d) must be 0 (no bound) or more: the e-mails "+
			"that may wait in the outbox before a campaign queues more", s.MaxBacklog)}
	}
	return nil
}

// errNoLister is a user store that cannot page through its users.
var errNoLister = errors.New("the user store cannot list its users, which a campaign needs")

// ProvideCampaigns returns the campaign use case over the stores the
// configuration chose. It reads users past RESET_PASSWORD_ACTIVE_USERS_ONLY's
// filter (the campaign skips inactive users itself, and reaches users whose
// password is unusable already) and writes its e-mail in the embedded
// breach_reset templates, with the link e-mail's details.
func ProvideCampaigns(cfg Config, store ports.CampaignStore, users ports.UserStore, box ports.Outbox,
	sender *reset.LinkSender, clock ports.Clock) (*campaign.Service, error) {
	all, err := lister(users)
	if err != nil {
		return nil, err
	}
	letter := sender.BreachLetter(reset.DefaultTemplates(reset.KindBreachReset).With(cfg.emailDetails()))
	return campaign.New(campaign.Deps{Store: store, Users: all, Queue: box, Letter: letter, Clock: clock,
		Backlog: box, MaxBacklog: cfg.Campaign.MaxBacklog}), nil
}

// lister finds the store that lists users beneath the wrappers around it (the
// active-users policy, tracing), each of which unwraps to the one it holds.
func lister(users ports.UserStore) (campaign.Users, error) {
	for users != nil {
		if l, ok := users.(campaign.Users); ok {
			return l, nil
		}
		w, ok := users.(interface{ Unwrap() ports.UserStore })
		if !ok {
			break
		}
		users = w.Unwrap()
	}
	return nil, fmt.Errorf("pwreset campaign: %w", errNoLister)
}
