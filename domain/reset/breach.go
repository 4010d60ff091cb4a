package reset

import (
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
