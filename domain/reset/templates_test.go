package reset_test

import (
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// details are what a team configures: its product, a 2-day link, a contact.
var details = reset.Details{Product: "Example Shop", Period: 48 * time.Hour, Contact: "security@shop.example"}

// validIn is the link's period as each language writes it with details.
var validIn = map[string]string{"en": "valid for 2 days", "de": "2 Tage gültig", "fr": "valable 2 jours", "es": "válido durante 2 días"}

// ignoreIn is a phrase of each language's "you can ignore this e-mail".
var ignoreIn = map[string]string{"en": "you can ignore this e-mail", "de": "können Sie diese E-Mail ignorieren",
	"fr": "vous pouvez ignorer cet e-mail", "es": "puede ignorar este correo"}

// TestDefaultEmails renders both e-mails in every language and checks what issue
// 20 asked of them: an HTML part a phone lays out (title, charset, viewport,
// color-scheme, lang), the product named, the link's period and "ignore this if
// you did not ask" in the link e-mail, the contact linked in the password-changed
// one, the time with its zone, and no template left unrendered.
func TestDefaultEmails(t *testing.T) {
	emails := reset.DefaultEmails().With(details)
	user := ports.User{ID: "7", Email: "ann@example.com", Logins: []ports.Field{{Name: "username", Value: "ann"}}}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, lang := range reset.Languages {
		t.Run(lang, func(t *testing.T) {
			link, err := emails.Link.Render(lang, "noreply@shop.example", user,
				map[string]string{"verification_url": "https://shop.example/reset/?user_id=7&timestamp=1&signature=s"})
			if err != nil {
				t.Fatal(err)
			}
			changed, err := emails.Changed.Render(lang, "noreply@shop.example", user,
				map[string]string{"changed_at": emails.Changed.FormatTime(lang, at)})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []ports.Message{link, changed} {
				checkHTML(t, lang, m)
				for part, text := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
					if !strings.Contains(text, "Example Shop") {
						t.Errorf("%s %s does not name the product: %q", m.Kind, part, text)
					}
				}
			}
			for part, text := range map[string]string{"text": link.Text, "html": html.UnescapeString(link.HTML)} {
				if !strings.Contains(text, validIn[lang]) || !strings.Contains(text, ignoreIn[lang]) ||
					!strings.Contains(text, "https://shop.example/reset/?user_id=7&timestamp=1&signature=s") {
					t.Errorf("link e-mail's %s lacks the period %q, %q or the link: %q", part, validIn[lang], ignoreIn[lang], text)
				}
			}
			if !strings.Contains(changed.Text, "12:00 UTC") || !strings.HasSuffix(changed.Text, "\n\nsecurity@shop.example\n") {
				t.Errorf("password-changed text without the time zone or ending in the contact: %q", changed.Text)
			}
			if !strings.Contains(changed.HTML, `href="mailto:security@shop.example"`) || !strings.Contains(changed.HTML, "12:00 UTC") {
				t.Errorf("password-changed HTML without the contact's link or the zone: %q", changed.HTML)
			}
		})
	}
}

// checkHTML checks the head of an HTML part and that nothing is left unrendered.
func checkHTML(t *testing.T, lang string, m ports.Message) {
	t.Helper()
	for _, want := range []string{`<html lang="` + lang + `">`, `<meta charset="utf-8">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<meta name="color-scheme" content="light dark">`, `@media (prefers-color-scheme: dark)`,
		"<title>" + html.EscapeString(m.Subject) + "</title>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("%s HTML lacks %s", m.Kind, want)
		}
	}
	for _, text := range []string{m.Subject, m.Text, m.HTML} {
		if strings.Contains(text, "{{") || strings.Contains(text, "<no value>") {
			t.Errorf("%s: unrendered template in %q", m.Kind, text)
		}
	}
}

// TestChangedEmailWithoutContact: with no contact the e-mail says to reset at once
// and ends there, rather than "tell us" with nothing to tell.
func TestChangedEmailWithoutContact(t *testing.T) {
	emails := reset.DefaultEmails()
	want := map[string]string{"en": "Reset it again at once.\n", "de": "Setzen Sie es sofort erneut zurück.\n",
		"fr": "Réinitialisez-le immédiatement.\n", "es": "Restablézcala de inmediato.\n"}
	for _, lang := range reset.Languages {
		m, err := emails.Changed.Render(lang, "noreply@shop.example", ports.User{Email: "ann@example.com"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(m.Text, want[lang]) || strings.Contains(m.HTML, "<a ") {
			t.Errorf("%s: %q / %q", lang, m.Text, m.HTML)
		}
	}
	m, _ := emails.Changed.With(reset.Details{Contact: "https://shop.example/help?topic=account"}).Render("en", "", ports.User{}, nil)
	if !strings.Contains(m.HTML, `href="https://shop.example/help?topic=account"`) {
		t.Errorf("a URL contact is linked as it is: %q", m.HTML)
	}
}

// TestTemplateApostrophes: the default templates write the apostrophe as the hosted
// page does, typographic (’), never the typewriter one.
func TestTemplateApostrophes(t *testing.T) {
	err := filepath.WalkDir("templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "'") {
			t.Errorf("%s has a typewriter apostrophe: write ’", path)
		}
		if strings.Contains(path, "/fr/") && regexp.MustCompile(` [:;!?]`).Match(b) {
			t.Errorf("%s has a plain space before French punctuation: write a no-break space (U+00A0)", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFormatTime(t *testing.T) {
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	winter := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		lang string
		zone *time.Location
		at   time.Time
		want string
	}{
		{"en", nil, winter, "25 November 2026 at 12:00 UTC"},
		{"de", zone("Europe/Berlin"), winter, "25.11.2026 um 13:00 CET (UTC+01:00)"},
		{"de", zone("Europe/Berlin"), summer, "01.07.2026 um 14:00 CEST (UTC+02:00)"},
		{"fr", zone("America/Sao_Paulo"), winter, "25/11/2026 à 09:00 UTC-03:00"}, // the zone's abbreviation is "-03"
		{"es", zone("Asia/Kolkata"), winter, "25/11/2026 a las 17:30 IST (UTC+05:30)"},
		{"tlh", nil, winter, "25 November 2026 at 12:00 UTC"}, // the fallback language's layout
	}
	for _, tt := range tests {
		got := reset.DefaultTemplates(reset.KindPasswordChanged).With(reset.Details{Zone: tt.zone}).FormatTime(tt.lang, tt.at)
		if got != tt.want {
			t.Errorf("FormatTime(%s, %v in %v) = %q, want %q", tt.lang, tt.at, tt.zone, got, tt.want)
		}
	}
}

// TestValidFor: the period in the largest unit that measures it whole, in each
// language's words, singular for one; never more than the link has.
func TestValidFor(t *testing.T) {
	tests := []struct {
		period time.Duration
		want   map[string]string
	}{
		{24 * time.Hour, map[string]string{"en": "24 hours", "de": "24 Stunden", "fr": "24 heures", "es": "24 horas"}},
		{72 * time.Hour, map[string]string{"en": "3 days", "de": "3 Tage", "fr": "3 jours", "es": "3 días"}},
		{time.Hour, map[string]string{"en": "1 hour", "de": "1 Stunde", "fr": "1 heure", "es": "1 hora"}},
		{90 * time.Minute, map[string]string{"en": "90 minutes", "de": "90 Minuten", "fr": "90 minutes", "es": "90 minutos"}},
		{time.Minute + 59*time.Second, map[string]string{"en": "1 minute", "de": "1 Minute", "fr": "1 minute", "es": "1 minuto"}},
		{30 * time.Second, map[string]string{"en": "1 minute"}},
		{36 * time.Hour, map[string]string{"en": "36 hours"}},
	}
	for _, tt := range tests {
		for lang, want := range tt.want {
			m, err := reset.DefaultTemplates(reset.KindResetLink).With(reset.Details{Period: tt.period}).Render(lang, "", ports.User{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, " "+want+" ") && !strings.Contains(m.Text, " "+want+".") {
				t.Errorf("%s, %s: %q does not say %q", tt.period, lang, m.Text, want)
			}
		}
	}
}

func TestCheckContact(t *testing.T) {
	for contact, ok := range map[string]bool{
		"https://shop.example/help": true, "http://intranet/help": true, "security@shop.example": true,
		"Security <security@shop.example>": true, "ftp://shop.example": false, "https://": false,
		"call us": false, "shop.example/help": false,
	} {
		if err := reset.CheckContact(contact); (err == nil) != ok {
			t.Errorf("CheckContact(%q) = %v, want ok %v", contact, err, ok)
		}
	}
}
