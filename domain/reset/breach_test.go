package reset_test

import (
	"context"
	"html"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

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

// TestResendBreach: a failed campaign e-mail is queued again to the user as now
// stored, in the campaign's template with a fresh link over the stored hash,
// saying the old password no longer works while it is unusable, under an id
// derived from the failed message (two retries store one), and with the
// operator's limits only: the campaign's once-per-user limit, which the failed
// e-mail holds, is not among them. Another kind is refused, queueing nothing.
func TestResendBreach(t *testing.T) {
	s, d := newSender(t, config, reset.DefaultTemplates(reset.KindResetLink))
	failed := ports.Envelope{ID: "m1", Attempts: 3, FinishedAt: now, Message: ports.Message{Kind: reset.KindBreachReset, UserID: alice.ID}}
	marked := alice
	marked.PasswordHash = "!unusable"
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(marked, nil).Times(2)
	var stored []ports.LimitedMessage
	d.queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), now).Times(2).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
			stored = append(stored, m)
			return m.Message.ID, -1, nil
		})
	for range 2 {
		if _, err := s.ResendBreach(context.Background(), failed); err != nil {
			t.Fatal(err)
		}
	}
	m := stored[0]
	if m.Message.ID == "" || m.Message.ID != stored[1].Message.ID || m.Message.Kind != reset.KindBreachReset || m.Message.To != alice.Email {
		t.Errorf("stored %+v and %+v, want one campaign e-mail to alice under one derived id", m.Message, stored[1].Message)
	}
	for _, l := range m.Limits {
		if strings.HasPrefix(l.Key, ports.CampaignKeyPrefix) || l.Max < math.MaxInt32 {
			t.Errorf("limit %+v could refuse the re-send", l)
		}
	}
	sig := link.NewSigner(key, false).Sign(link.Claims{UserID: alice.ID, Timestamp: now.Unix(), PasswordHash: marked.PasswordHash})
	if !strings.Contains(m.Message.Text, sig) || !strings.Contains(m.Message.Text, "no longer works") {
		t.Errorf("text lacks the link over the stored hash or the disabled password: %q", m.Message.Text)
	}
	if _, err := s.ResendBreach(context.Background(), ports.Envelope{ID: "m2", Message: ports.Message{Kind: reset.KindResetLink}}); err == nil {
		t.Error("a link e-mail was re-sent as a campaign's")
	}
}
