package mongo

import (
	"time"

	"github.com/pwreset/pwreset/ports"
)

// envelopeDoc is an outbox document as stored. Times are BSON dates (whole
// milliseconds); a field that does not apply to the message's state is absent
// and reads as zero.
type envelopeDoc struct {
	ID            any        `bson:"_id"` // an ObjectId, or a string a caller chose
	State         string     `bson:"state"`
	Attempts      int        `bson:"attempts"`
	CreatedAt     time.Time  `bson:"created_at"`
	NextAttemptAt time.Time  `bson:"next_attempt_at"`
	LeaseOwner    string     `bson:"lease_owner"`
	LeaseExpires  time.Time  `bson:"lease_expires"`
	FinishedAt    time.Time  `bson:"finished_at"`
	ProviderID    string     `bson:"provider_id"`
	LastError     string     `bson:"last_error"`
	Message       messageDoc `bson:"message"`
}

// messageDoc is the e-mail within an outbox document. Subject, text and HTML are
// unset once the message is settled: they hold the reset link.
type messageDoc struct {
	Kind    string `bson:"kind"`
	From    string `bson:"from"`
	To      string `bson:"to"`
	UserID  string `bson:"user_id"`
	Subject string `bson:"subject,omitempty"`
	Text    string `bson:"text,omitempty"`
	HTML    string `bson:"html,omitempty"`
	// TraceParent joins the delivery to the trace of the request that queued it.
	TraceParent string `bson:"traceparent,omitempty"`
}

func toMessageDoc(m ports.Message) messageDoc {
	return messageDoc{Kind: m.Kind, From: m.From, To: m.To, UserID: m.UserID,
		Subject: m.Subject, Text: m.Text, HTML: m.HTML, TraceParent: m.TraceParent}
}

// envelope is the port's view of d.
func (d envelopeDoc) envelope() ports.Envelope {
	m := d.Message
	return ports.Envelope{
		ID: idString(d.ID),
		Message: ports.Message{Kind: m.Kind, From: m.From, To: m.To, UserID: m.UserID,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML, TraceParent: m.TraceParent},
		State:         d.State,
		Attempts:      d.Attempts,
		CreatedAt:     d.CreatedAt,
		NextAttemptAt: d.NextAttemptAt,
		LeaseOwner:    d.LeaseOwner,
		LeaseExpires:  d.LeaseExpires,
		FinishedAt:    d.FinishedAt,
		ProviderID:    d.ProviderID,
		LastError:     d.LastError,
	}
}
