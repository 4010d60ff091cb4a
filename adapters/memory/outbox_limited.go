package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// AddLimited implements ports.Outbox: under the one lock of the outbox and its
// events, it checks the limits, records their events and stores the message, so
// that nothing can come between them.
func (o *Outbox) AddLimited(_ context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	if err := ports.CheckLimits(m.Limits); err != nil {
		return "", 0, fmt.Errorf("memory: %w", err)
	}
	if err := checkID(m.Message); err != nil {
		return "", 0, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.hasID(m.Message.ID) {
		return m.Message.ID, -1, nil // stored before: nothing new is counted
	}
	if refused := o.events.firstFull(m.Limits, now); refused >= 0 {
		return o.suppressedKeeping(m.Message, m.Limits[refused].Reason, now, m.KeepBody), refused, nil
	}
	o.events.recordAll(m.Limits, now)
	if m.Suppress != "" {
		return o.suppressedKeeping(m.Message, m.Suppress, now, m.KeepBody), -1, nil
	}
	return o.pending(m.Message, now), -1, nil
}

// LatestEvent implements ports.Outbox; it reads the events the limiter shares.
func (o *Outbox) LatestEvent(_ context.Context, key string) (time.Time, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.events.latest(key), nil
}
