package ports

import (
	"slices"
	"time"
)

// EventKindPrefix starts the outbox kind of every webhook event
// ("event.password.changed"); every other kind is an e-mail's. Stats tells the two
// apart by it.
const EventKindPrefix = "event."

// States lists every state of an outbox message, in the order a message goes
// through them (suppressed last: it never does).
var States = []string{StatePending, StateSending, StateSent, StateFailed, StateSuppressed}

// SplitStates are the states whose messages OutboxStats counts apart for e-mails
// and events: what waits and what was given up. The sent and suppressed are
// history, and telling them apart would read every finished message on MongoDB,
// where the others are counted from an index.
var SplitStates = []string{StatePending, StateSending, StateFailed}

// OutboxStats is a summary of the outbox.
type OutboxStats struct {
	Counts        map[string]int // by state, e-mails and events alike; every state, zero included
	OldestPending time.Time      // CreatedAt of the oldest pending or sending message; zero if none
	// Mail and Events are the e-mails' and the events' shares of the messages in
	// SplitStates: a webhook receiver that is down piles up events, not e-mails.
	Mail, Events OutboxShare
}

// OutboxShare is the part of the outbox one family of messages (e-mails, or
// events) holds.
type OutboxShare struct {
	Counts        map[string]int // by state, of SplitStates only, zero included
	OldestPending time.Time      // CreatedAt of the family's oldest pending or sending message; zero if none
}

// NewOutboxStats returns the stats of an empty outbox, every count at zero, for a
// store to fill with Add and Oldest.
func NewOutboxStats() OutboxStats {
	return OutboxStats{Counts: zeros(States), Mail: OutboxShare{Counts: zeros(SplitStates)},
		Events: OutboxShare{Counts: zeros(SplitStates)}}
}

func zeros(states []string) map[string]int {
	m := make(map[string]int, len(states))
	for _, s := range states {
		m[s] = 0
	}
	return m
}

// Add counts n more messages in state: events if event is set, else e-mails. Of
// the states outside SplitStates only the total counts, whatever event says.
func (s *OutboxStats) Add(state string, event bool, n int) {
	s.Counts[state] += n
	if slices.Contains(SplitStates, state) {
		s.share(event).Counts[state] += n
	}
}

// Oldest records a pending or sending message, an event if event is set, created
// at created: the oldest such is its family's OldestPending, and the oldest of
// both the outbox's. A zero created records nothing.
func (s *OutboxStats) Oldest(event bool, created time.Time) {
	if created.IsZero() {
		return
	}
	share := s.share(event)
	if share.OldestPending.IsZero() || created.Before(share.OldestPending) {
		share.OldestPending = created
	}
	if s.OldestPending.IsZero() || created.Before(s.OldestPending) {
		s.OldestPending = created
	}
}

func (s *OutboxStats) share(event bool) *OutboxShare {
	if event {
		return &s.Events
	}
	return &s.Mail
}
