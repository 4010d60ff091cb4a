package outbox

import (
	"context"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// Router is the Provider of a Dispatcher that delivers events as well as e-mail:
// each message goes to the provider of its kind.
type Router struct {
	// Mail delivers the e-mails.
	Mail Provider
	// Events delivers the events (domain/event); nil where none are configured.
	Events Provider
}

// Send implements ports.Mailer by kind: events to Events, the rest to Mail. An
// event this process has no endpoint for fails for good, where `pwreset outbox`
// lists it and `pwreset outbox retry` requeues it once EVENTS_URL is set.
func (r Router) Send(ctx context.Context, msg ports.Message) (string, error) {
	if !event.IsKind(msg.Kind) {
		return r.Mail.Send(ctx, msg)
	}
	if r.Events == nil {
		return "", &ports.SendError{Permanent: true, Reason: "no events endpoint is configured (EVENTS_URL)"}
	}
	return r.Events.Send(ctx, msg)
}
