package reset_test

import (
	"testing"

	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// BenchmarkRender renders both e-mails with the embedded templates (subject, text
// and HTML), as every link request and every reset does.
func BenchmarkRender(b *testing.B) {
	user := ports.User{ID: "1", Email: "alice@example.com", Logins: []ports.Field{{Name: "username", Value: "alice"}}}
	emails := reset.DefaultEmails()
	cases := []struct {
		name  string
		t     *reset.Templates
		extra map[string]string
	}{
		{"link", emails.Link, map[string]string{"verification_url": "https://front.example/reset-password/?user_id=1&timestamp=1700000000&signature=3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
		{"changed", emails.Changed, map[string]string{"changed_at": "14 November 2023 at 22:13 UTC"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.t.Render("en", "noreply@example.com", user, c.extra); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
