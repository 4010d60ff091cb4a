package reset_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// incidentIn is a phrase of each language's "because of a security incident".
var incidentIn = map[string]string{"en": "security incident", "de": "Sicherheitsvorfall",
	"fr": "incident de sécurité", "es": "incidente de seguridad"}

// TestBreachLetter renders the campaign e-mail in each language the user chose:
// it says why (a security incident), names the product, carries a link signed over
// the hash the user holds, and says the old password no longer works only when
// the campaign marked it unusable.
func TestBreachLetter(t *testing.T) {
	cfg := reset.Config{Enabled: true, Period: 48 * time.Hour, URL: "https://shop.example/reset/", From: "noreply@shop.example"}
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Signer: link.NewSigner([]byte(secretKey), false),
		Emails: reset.DefaultEmails(), Audit: audit.New(nil)})
	letter := sender.BreachLetter(reset.DefaultTemplates(reset.KindBreachReset).With(details))
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	disabledIn := map[string]string{"en": "no longer works", "de": "funktioniert nicht mehr", "fr": "ne fonctionne plus", "es": "ya no funciona"}
	for _, lang := range reset.Languages {
		for _, disabled := range []bool{false, true} {
			user := ports.User{ID: "7", Email: "ann@example.com", PasswordHash: "!unusable", Language: lang}
			m, err := letter.Compose(user, disabled, at)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != reset.KindBreachReset || m.To != user.Email || m.UserID != "7" {
				t.Errorf("%s: message %+v, want a %s e-mail to user 7", lang, m, reset.KindBreachReset)
			}
			checkHTML(t, lang, m)
			want := link.Build(cfg.URL, link.Claims{UserID: "7", Timestamp: at.Unix(), PasswordHash: user.PasswordHash},
				link.NewSigner([]byte(secretKey), false).Sign(link.Claims{UserID: "7", Timestamp: at.Unix(), PasswordHash: user.PasswordHash}))
			for part, text := range map[string]string{"text": m.Text, "html": html.UnescapeString(m.HTML)} {
				if !strings.Contains(text, incidentIn[lang]) || !strings.Contains(text, "Example Shop") ||
					!strings.Contains(text, validIn[lang]) || !strings.Contains(text, want) {
					t.Errorf("%s %s lacks the reason %q, the product, the period or the link: %q", lang, part, incidentIn[lang], text)
				}
				if strings.Contains(text, disabledIn[lang]) != disabled {
					t.Errorf("%s %s (disabled %v) mentions the disabled password wrongly: %q", lang, part, disabled, text)
				}
				if strings.Contains(text, "'") {
					t.Errorf("%s %s uses a straight apostrophe, want ’: %q", lang, part, text)
				}
			}
		}
	}
}
