package app

import (
	"context"

	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// replyTo is a mail provider that gives every message the Reply-To address of
// VERIFICATION_REPLY_TO_EMAIL, as django-rest-registration does.
type replyTo struct {
	outbox.Provider
	addr string
}

// Send implements ports.Mailer.
func (r replyTo) Send(ctx context.Context, msg ports.Message) (string, error) {
	msg.ReplyTo = r.addr
	return r.Provider.Send(ctx, msg)
}

// withReplyTo wraps p so that its messages carry VERIFICATION_REPLY_TO_EMAIL, if set.
func withReplyTo(cfg Config, p outbox.Provider) outbox.Provider {
	if cfg.ReplyToEmail == "" || p == nil {
		return p
	}
	return replyTo{Provider: p, addr: cfg.ReplyToEmail}
}
