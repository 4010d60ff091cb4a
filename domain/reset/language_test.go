package reset_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

func TestChooseLanguage(t *testing.T) {
	tests := []struct {
		name  string
		prefs []string
		want  string
	}{
		{"nothing named", nil, "en"},
		{"user's own", []string{"de", "fr"}, "de"},
		{"region and case", []string{"FR-ca"}, "fr"},
		{"underscore", []string{"es_MX"}, "es"},
		{"unsupported skipped", []string{"it", "", "es"}, "es"},
		{"none supported", []string{"it", "ja"}, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reset.ChooseLanguage("en", tt.prefs...); got != tt.want {
				t.Errorf("ChooseLanguage(en, %q) = %q, want %q", tt.prefs, got, tt.want)
			}
		})
	}
}

// sendIn requests a link for user with the given Accept-Language preferences and
// returns the e-mail queued.
func sendIn(t *testing.T, emails reset.Emails, user ports.User, prefs ...string) ports.Message {
	t.Helper()
	s, d := newSender(t, config, emails.Link)
	d.users.EXPECT().FindByLogin(gomock.Any(), "alice").Return(user, nil)
	sent := expectMail(d.queue, "")
	if err := s.Send(context.Background(), reset.Lookup{Value: "alice", Languages: prefs}); err != nil {
		t.Fatal(err)
	}
	return *sent
}

func TestLinkEmailLanguage(t *testing.T) {
	german := alice
	german.Language = "de-AT"
	klingon := alice
	klingon.Language = "tlh"
	tests := []struct {
		name    string
		user    ports.User
		prefs   []string
		subject string
	}{
		{"default", alice, nil, "Reset your pwreset password"},
		{"Accept-Language", alice, []string{"fr-CH", "de"}, "Réinitialisation de votre mot de passe pwreset"},
		{"user's field wins", german, []string{"es"}, "Passwort für pwreset zurücksetzen"},
		{"unsupported user language falls through", klingon, []string{"es"}, "Restablecer su contraseña de pwreset"},
		{"nothing supported", klingon, []string{"it"}, "Reset your pwreset password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sendIn(t, reset.DefaultEmails(), tt.user, tt.prefs...)
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
		})
	}
}

// TestEveryLanguageRenders checks that each kind of e-mail exists in every language,
// with a subject, a text and an HTML part that carry the values.
func TestEveryLanguageRenders(t *testing.T) {
	for _, lang := range reset.Languages {
		t.Run(lang, func(t *testing.T) {
			m := sendIn(t, reset.DefaultEmails(), alice, lang)
			if m.Subject == "" || !strings.Contains(m.Text, "https://frontend-host/reset-password/?user_id=") ||
				!strings.Contains(m.HTML, `<html lang="`+lang+`">`) ||
				!strings.Contains(m.HTML, `href="https://frontend-host/reset-password/?user_id=`+alice.ID+"&amp;timestamp=") {
				t.Errorf("link e-mail in %s: %+v", lang, m)
			}
			cfg := config
			cfg.ChangedNotification = true
			r, d := newResetter(t, cfg, now)
			expectReset(d)
			sent := expectHeldMessage(d)
			expectReleased(d)
			req := request(false, now, goodPassword)
			req.Languages = []string{lang}
			if err := r.Reset(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			if sent.Subject == "" || !strings.Contains(sent.Text, "2026") || !strings.Contains(sent.Text, "12:00 UTC") ||
				!strings.Contains(sent.HTML, `<html lang="`+lang+`">`) || !strings.Contains(sent.HTML, "12:00 UTC") {
				t.Errorf("password-changed e-mail in %s: %+v", lang, sent)
			}
		})
	}
}

func TestPasswordChangedEmailFollowsTheUser(t *testing.T) {
	cfg := config
	cfg.ChangedNotification = true
	r, d := newResetter(t, cfg, now)
	french := alice
	french.Language = "fr"
	d.users.EXPECT().FindByID(gomock.Any(), alice.ID).Return(french, nil)
	d.hasher.EXPECT().Hash(goodPassword).Return("new-hash", nil)
	d.users.EXPECT().SetPassword(gomock.Any(), gomock.Any())
	sent := expectHeldMessage(d)
	expectReleased(d)
	req := request(false, now, goodPassword)
	req.Languages = []string{"de"}
	if err := r.Reset(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if sent.Subject != "Votre mot de passe pwreset a été modifié" || !strings.Contains(sent.Text, "le 25/11/2026 à 12:00 UTC") {
		t.Fatalf("notification %q / %q", sent.Subject, sent.Text)
	}
}

func TestLocalizedCustomTemplates(t *testing.T) {
	tpl, err := reset.ParseLocalizedTemplates(reset.KindResetLink, "de", map[string]reset.TemplateSources{
		"de": {Subject: "Hallo {{.username}}", Text: "Link: {{.verification_url}}"},
		"fr": {Subject: "Bonjour {{.username}}"},
	})
	if err != nil {
		t.Fatal(err)
	}
	emails := reset.Emails{Link: tpl}
	t.Run("custom text, no default HTML beside it", func(t *testing.T) {
		m := sendIn(t, emails, alice, "it") // unsupported: the configured default, German
		if m.Subject != "Hallo alice" || !strings.HasPrefix(m.Text, "Link: https://") || m.HTML != "" {
			t.Errorf("%+v", m)
		}
	})
	t.Run("custom subject, default bodies", func(t *testing.T) {
		m := sendIn(t, emails, alice, "fr")
		if m.Subject != "Bonjour alice" || !strings.HasPrefix(m.Text, "Nous avons reçu une demande") || !strings.Contains(m.HTML, `lang="fr"`) {
			t.Errorf("%+v", m)
		}
	})
	t.Run("language without custom files", func(t *testing.T) {
		if m := sendIn(t, emails, alice, "es"); m.Subject != "Restablecer su contraseña de pwreset" {
			t.Errorf("%+v", m)
		}
	})
	if _, err := reset.ParseLocalizedTemplates(reset.KindResetLink, "it", nil); err == nil {
		t.Error("an unsupported default language was accepted")
	}
	_, err = reset.ParseLocalizedTemplates(reset.KindResetLink, "en", map[string]reset.TemplateSources{"es": {HTML: "{{"}})
	if err == nil || !strings.Contains(err.Error(), "language es") {
		t.Errorf("a broken Spanish template: %v", err)
	}
}
