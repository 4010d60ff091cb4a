package sendgrid

import (
	"github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/pwreset/pwreset/ports"
)

// kindArg is the custom argument that carries ports.Message.Kind. SendGrid hands
// custom arguments back in its event webhook, so bounces can be told apart by kind.
const kindArg = "kind"

// newMail maps msg onto SendGrid's v3 mail body.
func newMail(msg ports.Message) *mail.SGMailV3 {
	// NewSingleEmail puts text/plain first and leaves out empty parts, as the API
	// requires: it refuses content that is out of order or empty.
	m := mail.NewSingleEmail(address(msg.From), msg.Subject, address(msg.To), msg.Text, msg.HTML)
	if msg.ReplyTo != "" {
		m.SetReplyTo(address(msg.ReplyTo))
	}
	if msg.Kind != "" {
		m.SetCustomArg(kindArg, msg.Kind)
	}
	return m
}

// address splits "Name <addr>" into SendGrid's name and email fields. Text that does
// not parse goes through as it is, so that SendGrid's 400 names the bad field rather
// than this adapter hiding it behind an error of its own.
func address(s string) *mail.Email {
	if e, err := mail.ParseEmail(s); err == nil {
		return e
	}
	return mail.NewEmail("", s)
}
