package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/ports"
)

func TestMailerPrintsTheWholeMessage(t *testing.T) {
	var out strings.Builder
	m := console.NewMailer(&out)
	id, err := m.Send(context.Background(), ports.Message{From: "noreply@example.com", To: "alice@example.com",
		Subject: "Reset password link was sent", Text: "click https://x/?a=1\n"})
	if err != nil || id != "console-1" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	for _, want := range []string{"From: noreply@example.com", "To: alice@example.com",
		"Subject: Reset password link was sent", "click https://x/?a=1", "end of e-mail console-1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
