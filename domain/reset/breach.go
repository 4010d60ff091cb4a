package reset

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// KindBreachReset is the e-mail of a breach-response campaign (pwreset campaign):
// a reset link that says why every user gets one.
const KindBreachReset = "breach_reset"

// BreachLetter composes the campaign e-mail: the link LinkSender signs, in the
// campaign's own templates.
type BreachLetter struct {
	sender    *LinkSender
	templates *Templates
}

// BreachLetter returns the composer of campaign e-mails rendered with t, which
// should be DefaultTemplates(KindBreachReset) with the sender's Details.
func (s *LinkSender) BreachLetter(t *Templates) *BreachLetter {
	return &BreachLetter{sender: s, templates: t}
}

// Compose renders the e-mail to user, in the user's language, with a link signed
// at the time at over the password hash user holds (so that a hash the campaign
// marked unusable first is the one the link opens). disabled says so in the text.
func (b *BreachLetter) Compose(user ports.User, disabled bool, at time.Time) (ports.Message, error) {
	extra := map[string]string{"verification_url": b.sender.link(user, at, false)}
	if disabled {
		extra["password_disabled"] = "yes"
	}
	return b.templates.Render(b.templates.language(user, nil), b.sender.cfg.From, user, extra)
}

// ResendBreach queues again, to the user as now stored, a campaign e-mail that
// failed (`pwreset outbox retry`), and returns the new message's outbox id. It
// carries a fresh link (the failed one's may have expired), says the password no
// longer works if the user's hash is still unusable, and is stored as an
// operator's link is: it counts as the user's latest, and no limit holds it back.
// The campaign's once-per-user limit is not among its limits: the failed e-mail
// counted there already, and would refuse it for good. Its id is derived from
// the failed message, so retries racing on one dead letter store one e-mail. An
// unknown user is ErrUserNotFound, one without an address ErrNoEmail.
func (s *LinkSender) ResendBreach(ctx context.Context, failed ports.Envelope) (string, error) {
	if failed.Message.Kind != KindBreachReset {
		return "", fmt.Errorf("message %s is a %s e-mail, not a campaign's", failed.ID, failed.Message.Kind)
	}
	letter := s.BreachLetter(DefaultTemplates(KindBreachReset).With(s.emails.Link.details))
	return s.queueForOperator(ctx, Target{UserID: failed.Message.UserID}, requeueID(failed),
		func(user ports.User, at time.Time) (ports.Message, error) {
			return letter.Compose(user, strings.HasPrefix(user.PasswordHash, UnusablePasswordPrefix), at)
		})
}
