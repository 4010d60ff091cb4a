// Package event builds the events pwreset delivers to the team's own endpoint
// (EVENTS_URL): a password changed, a reset link sent or given up. An event
// travels through the outbox as a ports.Message of its own kind, so that it is
// stored, retried, dead-lettered and requeued as e-mail is.
package event

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// Types of event.
const (
	// PasswordChanged is a user's password changed through a reset link.
	PasswordChanged = "password.changed"
	// LinkSent is a reset-link e-mail the mail provider accepted.
	LinkSent = "reset_link.sent"
	// LinkFailed is a reset-link e-mail given up on.
	LinkFailed = "reset_link.failed"
)

// Types lists every type of event, in the order the documentation gives them.
var Types = []string{PasswordChanged, LinkSent, LinkFailed}

// kindPrefix starts the outbox kind of every event: "event.password.changed". The
// outbox's Stats tells events from e-mails by it.
const kindPrefix = ports.EventKindPrefix

// Kind returns the outbox kind of the events of typ.
func Kind(typ string) string { return kindPrefix + typ }

// IsKind reports whether an outbox kind is an event's, not an e-mail's.
func IsKind(kind string) bool { return strings.HasPrefix(kind, kindPrefix) }

// TypeOf returns the event type of an outbox kind ("" if it is an e-mail's).
func TypeOf(kind string) string {
	if !IsKind(kind) {
		return ""
	}
	return strings.TrimPrefix(kind, kindPrefix)
}

// Kinds returns the outbox kinds of types.
func Kinds(types []string) []string {
	kinds := make([]string, len(types))
	for i, t := range types {
		kinds[i] = Kind(t)
	}
	return kinds
}

// Known reports whether typ is a type of event pwreset sends.
func Known(typ string) bool { return slices.Contains(Types, typ) }

// payload is the JSON body of an event, as the Standard Webhooks specification
// shapes it. Its data names the user by id and nothing else: never a password,
// hash, address or link.
type payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      data      `json:"data"`
}

type data struct {
	UserID string `json:"user_id"`
}

// NewID returns a fresh event id, which the receiver uses to drop duplicates.
func NewID() string { return "evt_" + strings.ToLower(rand.Text()) }

// IDOf returns the event id of what parts name together (a message and its
// outcome): the same each time, in NewID's form, so that an event announced twice
// is one event to its receiver.
func IDOf(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "evt_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:16]))
}

// Message returns the outbox message of an event of typ about userID at the time
// at, with the id id (NewID for a new event; a requeued one keeps its own). Its
// To holds the id: the message's metadata outlive its body once it is finished,
// so a requeued event is sent under the id it had. Its Text holds the JSON body.
func Message(id, typ, userID string, at time.Time) (ports.Message, error) {
	body, err := json.Marshal(payload{Type: typ, Timestamp: at.UTC(), Data: data{UserID: userID}})
	if err != nil {
		return ports.Message{}, fmt.Errorf("encode the %s event: %w", typ, err)
	}
	return ports.Message{Kind: Kind(typ), UserID: userID, To: id, Text: string(body)}, nil
}

// ID returns the id of the event msg holds.
func ID(msg ports.Message) string { return msg.To }
