package ports

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one e-mail, rendered and ready to send.
type Message struct {
	// ID, when set, is the outbox id the caller chose for the message (CheckMessageID):
	// Outbox.Add, Discard and AddLimited store it under that id, once. Adding again
	// with an id the outbox holds stores nothing new and returns that id, so a caller
	// whose add had an unclear outcome settles it by that id (Delete, Release). Empty:
	// the store gives the id. Only adding reads it; what the outbox hands back carries
	// the id in Envelope.ID.
	ID string
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
	// TraceParent is the W3C traceparent of the request that queued the message
	// ("00-<trace id>-<span id>-<flags>"), kept with it so that its delivery joins
	// that request's trace; empty when tracing is off. It names no one and holds no
	// secret, and stays when the body is erased.
	TraceParent string
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
	// Reason is the provider's own explanation, never the message body, and passed
	// through ScrubReason: it is logged and stored with the message.
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

// MaxReason bounds a scrubbed SendError.Reason, in bytes (an ellipsis may follow).
const MaxReason = 300

// What ScrubReason takes out, in this order: URLs with a scheme (a link in full, with any
// userinfo); host/path links without one; what is left of a
// query string or a link's parameters; e-mail addresses.
var (
	scrubURL     = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s;"'<>]*`)
	scrubPath    = regexp.MustCompile(`(?i)\b[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/[^\s;"'<>]*`)
	scrubQuery   = regexp.MustCompile(`\?[^\s"'<>]*=[^\s"'<>]*`)
	scrubParam   = regexp.MustCompile(`(?i)\b(user_id|timestamp|signature|token)=[^\s&"'<>]*`)
	scrubAddress = regexp.MustCompile(`[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+`)
)

// ScrubReason makes a provider's explanation fit for a log line and the outbox:
// e-mail addresses become [address], links [url] and a link's parameters
// (user_id=, timestamp=, signature=, token=) lose their values, because relays
// quote the recipient and URL filters quote the link, which is a credential. It
// folds whitespace onto one line and cuts the text to MaxReason bytes on a
// character boundary. Every mail provider passes its reasons through it.
func ScrubReason(s string) string {
	s = scrubURL.ReplaceAllString(s, "[url]")
	s = scrubPath.ReplaceAllString(s, "[url]")
	s = scrubQuery.ReplaceAllString(s, "?[query]")
	s = scrubParam.ReplaceAllString(s, "$1=[removed]")
	s = scrubAddress.ReplaceAllString(s, "[address]")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= MaxReason {
		return s
	}
	cut := MaxReason
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
