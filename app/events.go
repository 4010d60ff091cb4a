package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/adapters/webhook"
	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/domain/outbox"
)

// EventsSettings say where pwreset delivers its events (domain/event): signed
// JSON posted to the team's endpoint through the outbox. EVENTS_URL turns them on.
type EventsSettings struct {
	URL string `env:"EVENTS_URL"`
	// Secret signs each delivery (Standard Webhooks): "whsec_" and base64.
	Secret string `env:"EVENTS_SECRET"`
	// Types are the events delivered: password.changed, reset_link.sent,
	// reset_link.failed.
	Types   []string      `env:"EVENTS_TYPES" envDefault:"password.changed"`
	Timeout time.Duration `env:"EVENTS_TIMEOUT" envDefault:"10s"`
}

// On reports whether events are delivered.
func (e EventsSettings) On() bool { return e.URL != "" }

// wants reports whether events of typ are delivered.
func (e EventsSettings) wants(typ string) bool { return e.On() && slices.Contains(e.types(), typ) }

// types are the names in EVENTS_TYPES, without the spaces around them.
func (e EventsSettings) types() []string {
	var out []string
	for _, t := range e.Types {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// outcomes are the types of event the dispatcher announces: those of a
// delivery's outcome (reset_link.sent, reset_link.failed) that are wanted.
func (e EventsSettings) outcomes() []string {
	var out []string
	for _, t := range []string{event.LinkSent, event.LinkFailed} {
		if e.wants(t) {
			out = append(out, t)
		}
	}
	return out
}

func (e EventsSettings) problems() []error {
	if !e.On() {
		if e.Secret != "" {
			return []error{fmt.Errorf("EVENTS_SECRET is set but EVENTS_URL is not: set EVENTS_URL to the endpoint that receives the events, or unset EVENTS_SECRET")}
		}
		return nil
	}
	var p []error
	if err := webhook.CheckURL(e.URL); err != nil {
		p = append(p, fmt.Errorf("EVENTS_URL: %v", err))
	}
	if e.Secret == "" {
		p = append(p, fmt.Errorf("EVENTS_SECRET is required with EVENTS_URL: the key that signs each event, such as whsec_$(openssl rand -base64 32)"))
	} else if err := webhook.CheckSecret(e.Secret); err != nil {
		p = append(p, fmt.Errorf("EVENTS_SECRET: %v", err))
	}
	if e.Timeout <= 0 {
		p = append(p, fmt.Errorf("EVENTS_TIMEOUT must be a positive duration, such as 10s"))
	}
	return append(p, e.typeProblems()...)
}

// typeProblems checks EVENTS_TYPES: at least one, every one known.
func (e EventsSettings) typeProblems() []error {
	if len(e.types()) == 0 {
		return []error{fmt.Errorf("EVENTS_TYPES must name at least one of %s", strings.Join(event.Types, ", "))}
	}
	var p []error
	for _, t := range e.types() {
		if !event.Known(t) {
			p = append(p, fmt.Errorf("EVENTS_TYPES: %q is not an event pwreset sends: use %s", t, strings.Join(event.Types, ", ")))
		}
	}
	return p
}

// provider returns the sender of events to EVENTS_URL, or nil when events are off.
func (e EventsSettings) provider() (outbox.Provider, error) {
	if !e.On() {
		return nil, nil
	}
	s, err := webhook.NewSender(webhook.Config{URL: e.URL, Secret: e.Secret, Timeout: e.Timeout})
	if err != nil {
		return nil, fmt.Errorf("EVENTS_URL: %w", err)
	}
	return s, nil
}
