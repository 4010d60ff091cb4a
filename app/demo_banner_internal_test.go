package app

import (
	"bytes"
	"strings"
	"testing"
)

// TestDemoBannerTellsWhereMailGoes: the banner says e-mails are printed only when
// the console prints them; with SMTP or SendGrid it says they are sent, and where.
func TestDemoBannerTellsWhereMailGoes(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		says, not string
	}{
		{"console", Config{}, "e-mails are\n printed here, not sent.", "sent through"},
		{"SMTP", Config{Mail: MailSettings{SMTP: SMTPSettings{URL: "smtp://relay.example:587"}}},
			"e-mails are\n sent through the SMTP relay of SMTP_URL, not printed.", "printed here"},
		{"SendGrid", Config{Mail: MailSettings{SendGridAPIKey: "SG.x"}}, "e-mails are\n sent through SendGrid (SENDGRID_API_KEY), not printed.", "printed here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printDemoBanner(&out, tt.cfg, "http://localhost:8080")
			if got := out.String(); !strings.Contains(got, tt.says) || strings.Contains(got, tt.not) {
				t.Errorf("banner says %q; want %q and not %q", got, tt.says, tt.not)
			}
		})
	}
}
