package outbox

import (
	"context"
	"log/slog"
	"slices"

	"github.com/pwreset/pwreset/domain/event"
	"github.com/pwreset/pwreset/ports"
)

// announce stores the event of an outcome (a kind and an audit suffix, say
// "reset_link" and ".sent") in the outbox when Config.Events lists it. Its event
// id and outbox id are the message's and the outcome's (event.IDOf), never
// random: announced again, it is stored once and is one event to a receiver. A
// delivery is announced before it is recorded (record), so a crash between the two
// cannot lose it; a failure after MarkFailed stored it, by the one worker that
// did (a lease lost meanwhile may mean another worker sent it), so a crash between
// those two loses that announcement, which the log line of the outcome records.
func (d *Dispatcher) announce(ctx context.Context, log msgLog, env ports.Envelope, outcome string) {
	typ := env.Message.Kind + outcome
	if !slices.Contains(d.cfg.Events, typ) {
		return
	}
	now := d.clock.Now()
	// The ids follow from the message and its outcome: an outcome announced twice
	// is stored once, and is one event to its receiver (Standard Webhooks' id).
	id := event.IDOf(env.ID, typ)
	msg, err := event.Message(id, typ, env.Message.UserID, now)
	msg.ID = id
	if err == nil {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		defer cancel()
		_, err = d.box.Add(c, msg, now)
	}
	if err != nil {
		log.write(ctx, slog.LevelError, "the event of this outcome was not stored, and is not sent",
			slog.String("event", typ), slog.Any("error", err))
		return
	}
	d.Wake()
}
