package console_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pwreset/pwreset/adapters/console"
	"github.com/pwreset/pwreset/ports"
)

// TestMailerPrintsTheWholeMessage (issue 20 item 10): the headers, the text part
// and the HTML part, each under its own line, in that order.
func TestMailerPrintsTheWholeMessage(t *testing.T) {
	var out strings.Builder
	m := console.NewMailer(&out)
	id, err := m.Send(context.Background(), ports.Message{From: "noreply@example.com", To: "alice@example.com",
		ReplyTo: "support@example.com", Subject: "Reset password link was sent", Text: "click https://x/?a=1\n", HTML: `<p><a href="https://x/?a=1">Reset</a></p>`})
	if err != nil || id != "console-1" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	rest := out.String()
	for _, want := range []string{"From: noreply@example.com", "To: alice@example.com", "Reply-To: support@example.com",
		"Subject: Reset password link was sent", "----- text part -----", "click https://x/?a=1",
		"----- HTML part -----", `<p><a href="https://x/?a=1">Reset</a></p>`, "end of e-mail console-1"} {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("output lacks %q after what came before:\n%s", want, out.String())
		}
		rest = rest[i+len(want):]
	}
}

// TestMailerTextOnly: a message without HTML prints no HTML part.
func TestMailerTextOnly(t *testing.T) {
	var out strings.Builder
	if _, err := console.NewMailer(&out).Send(context.Background(), ports.Message{To: "a@example.com", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "----- text part -----\nhello\n") || strings.Contains(out.String(), "HTML part") {
		t.Errorf("output:\n%s", out.String())
	}
}

// failingWriter fails every write with an error that quotes what it was given,
// as some writers do.
type failingWriter struct{}

func (failingWriter) Write(p []byte) (int, error) {
	return 0, fmt.Errorf("cannot write %q: broken pipe", p)
}

// TestMailerFailureIsScrubbed (issue 18 item 6): a failed print is a
// *ports.SendError, temporary, whose reason names neither the recipient nor
// the link.
func TestMailerFailureIsScrubbed(t *testing.T) {
	_, err := console.NewMailer(failingWriter{}).Send(context.Background(), ports.Message{From: "noreply@example.com",
		To: "alice@example.com", Subject: "Reset", Text: "open https://reset.example.com/?user_id=1&signature=s3cr3t\n"})
	var se *ports.SendError
	if !errors.As(err, &se) || se.Permanent {
		t.Fatalf("Send: %#v; want a temporary *ports.SendError", err)
	}
	for _, secret := range []string{"alice@example.com", "s3cr3t", "reset.example.com"} {
		if strings.Contains(se.Error(), secret) {
			t.Errorf("error %q gives away %q", se.Error(), secret)
		}
	}
}

// printed is how the mailer printed the n-th message with fmt, up to 6 December 2026.
func printed(n int, msg ports.Message) string {
	var b strings.Builder
	id := fmt.Sprintf("console-%d", n)
	fmt.Fprintf(&b, "----- e-mail %s (console mailer: printed, not sent) -----\nFrom: %s\nTo: %s\n", id, msg.From, msg.To)
	if msg.ReplyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\n", msg.ReplyTo)
	}
	fmt.Fprintf(&b, "Subject: %s\n", msg.Subject)
	fmt.Fprintf(&b, "----- text part -----\n%s\n", msg.Text)
	if msg.HTML != "" {
		fmt.Fprintf(&b, "----- HTML part -----\n%s\n", msg.HTML)
	}
	fmt.Fprintf(&b, "----- end of e-mail %s -----\n", id)
	return b.String()
}

// TestMailerPrintsAsBefore (issue 21): the print, formatted without fmt into a
// reused buffer, is byte for byte what fmt printed, for messages with and without
// Reply-To and HTML, a long one between short ones, and text with % and UTF-8.
func TestMailerPrintsAsBefore(t *testing.T) {
	msgs := []ports.Message{
		{From: "noreply@example.com", To: "alice@example.com", ReplyTo: "support@example.com", Subject: "Réinitialiser",
			Text: "100 % https://x/?a=1&b=%41\n", HTML: `<p><a href="https://x/?a=1">Reset</a></p>`},
		{To: "a@example.com", Text: "hello"},
		{From: "x@example.com", To: "b@example.com", Subject: "long", Text: strings.Repeat("€ %d\n", 20000)},
		{From: "x@example.com", To: "c@example.com", Subject: "", Text: "", HTML: "<b>only html</b>"},
	}
	var out strings.Builder
	m := console.NewMailer(&out)
	for i, msg := range msgs {
		out.Reset()
		id, err := m.Send(context.Background(), msg)
		if want := fmt.Sprintf("console-%d", i+1); err != nil || id != want {
			t.Fatalf("Send %d = %q, %v; want %q", i, id, err, want)
		}
		if want := printed(i+1, msg); out.String() != want {
			t.Errorf("message %d printed\n%q\nwant\n%q", i, out.String(), want)
		}
	}
}

// BenchmarkSend prints a reset e-mail of the usual size to io.Discard.
func BenchmarkSend(b *testing.B) {
	m := console.NewMailer(io.Discard)
	msg := ports.Message{From: "noreply@example.com", To: "alice@example.com", Subject: "Reset your password",
		Text: strings.Repeat("https://example.com/reset/?user_id=1&signature=abc\n", 10), HTML: strings.Repeat("<p>x</p>", 250)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Send(context.Background(), msg); err != nil {
			b.Fatal(err)
		}
	}
}
