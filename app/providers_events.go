package app

import (
	"fmt"

	"github.com/pwreset/pwreset/adapters/webhook"
	"github.com/pwreset/pwreset/domain/outbox"
)

// eventsProvider returns the sender of events to EVENTS_URL, or nil when events
// are off.
func eventsProvider(cfg Config) (outbox.Provider, error) {
	if !cfg.Events.On() {
		return nil, nil
	}
	s, err := webhook.NewSender(webhook.Config{URL: cfg.Events.URL, Secret: cfg.Events.Secret, Timeout: cfg.Events.Timeout})
	if err != nil {
		return nil, fmt.Errorf("EVENTS_URL: %w", err)
	}
	return s, nil
}
