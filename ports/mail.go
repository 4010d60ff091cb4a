package ports

import (
	"context"
	"fmt"
	"time"
)

// Message is one e-mail, rendered and ready to send.
type Message struct {
	// Kind names what the message is for, such as "reset_link"; it is kept as metadata.
	Kind string
	// UserID is the verification id of the user the message is about; kept as metadata
	// so that a failed message can be issued again.
	UserID  string
	From    string
	To      string
	Subject string
	Text    string
	HTML    string // optional
	// ReplyTo is where replies go when not to From (VERIFICATION_REPLY_TO_EMAIL);
	// empty: From. It is one setting for every message, so the outbox does not
	// store it: the mail provider's wrapper sets it as each message goes out.
	ReplyTo string
}

// Mailer delivers a message through a mail provider.
//
//go:generate go tool mockgen -destination=../mocks/mail.go -package=mocks . Mailer
type Mailer interface {
	// Send delivers msg and returns the provider's message id (empty if it gives none).
	// A failure the provider reported is a *SendError.
	Send(ctx context.Context, msg Message) (providerID string, err error)
}

// SendError is a delivery the provider refused or could not take.
type SendError struct {
	// Status is the provider's HTTP status; 0 when it was never reached.
	Status int
	// Reason is the provider's own explanation, never the message body.
	Reason string
	// Permanent is true when sending the same message again cannot succeed.
	Permanent bool
	// RetryAfter is how long the provider asked us to wait, if it said so.
	RetryAfter time.Duration
}

func (e *SendError) Error() string {
	if e.Status == 0 {
		return "mail provider unreachable: " + e.Reason
	}
	return fmt.Sprintf("mail provider answered %d: %s", e.Status, e.Reason)
}
