package contract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// MailStandIn is a mail provider under test together with a local stand-in of the
// service it talks to (an SMTP server, an HTTP API, a buffer). Each adapter's
// tests implement it. A stand-in that cannot play a part returns an error saying
// why, wrapping errors.ErrUnsupported, and the suite skips that case with it.
type MailStandIn interface {
	// Mailer is the provider under test, configured for the stand-in.
	Mailer() ports.Mailer
	// Delivered returns the messages the stand-in accepted, oldest first, as far as
	// it can tell them: at least To (the bare address) and Text.
	Delivered() []ports.Message
	// Attempts counts the messages that reached the stand-in, refused ones included.
	Attempts() int
	// Refuse makes the stand-in refuse the next message with reason in its own
	// words, for good (permanent) or for now.
	Refuse(permanent bool, reason string) error
	// Throttle makes the stand-in refuse the next message as one too many, asking
	// the sender to wait the given time (a 429 with Retry-After, an SMTP 421 that
	// names the wait).
	Throttle(wait time.Duration) error
	// Hang makes the stand-in hold every later message, unanswered, until the
	// test ends.
	Hang() error
	// FailAfterAccept makes the stand-in accept every later message and then break
	// the exchange before the sender hears the end of it (an SMTP relay hanging up
	// before its answer to RSET or QUIT, an HTTP answer cut after its status line).
	FailAfterAccept() error
}

// mailLink is the credential in the suite's message: no reason may repeat it.
const mailLink = "https://reset.example.com/reset-password/?user_id=42&timestamp=1700000000&signature=c2lnbmF0dXJl"

// mailSample is the suite's message.
var mailSample = ports.Message{Kind: "reset_link", UserID: "42", From: "Password reset <noreply@example.com>",
	To: "ann@example.org", Subject: "Reset your password", Text: "Open " + mailLink + " to choose a new password.\n",
	HTML: `<p><a href="` + mailLink + `">Choose a new password</a></p>`}

// mailSecrets are the parts of the recipient and of the link a reason must not hold.
var mailSecrets = []string{"ann@example.org", "reset.example.com", "user_id=42", "1700000000", "c2lnbmF0dXJl"}

// TestMailProvider runs the mail provider contract against the fresh stand-ins
// newStandIn makes, one per case:
//   - Accepted: a message goes out once, with a provider id;
//   - TemporaryFailure and PermanentFailure: a refusal is a *ports.SendError with
//     the provider's status, Permanent as the provider meant it, a reason that keeps
//     the provider's words and loses the recipient and the link, and no second try
//     inside the adapter (retries are the outbox's, which counts them);
//   - RetryAfter: the wait a throttled provider asks for is in SendError.RetryAfter;
//   - Timeout: the caller's deadline ends a send the provider never answers, as a
//     temporary *ports.SendError without a status;
//   - Duplicates: a message the provider accepted is reported sent even when the
//     exchange breaks afterwards (so the outbox does not send it again), and the
//     next message goes out.
func TestMailProvider(t *testing.T, newStandIn func(t *testing.T) MailStandIn) {
	t.Run("Accepted", func(t *testing.T) { testMailAccepted(t, newStandIn(t)) })
	t.Run("TemporaryFailure", func(t *testing.T) { testMailRefused(t, newStandIn(t), false) })
	t.Run("PermanentFailure", func(t *testing.T) { testMailRefused(t, newStandIn(t), true) })
	t.Run("RetryAfter", func(t *testing.T) { testMailRetryAfter(t, newStandIn(t)) })
	t.Run("Timeout", func(t *testing.T) { testMailTimeout(t, newStandIn(t)) })
	t.Run("Duplicates", func(t *testing.T) { testMailDuplicates(t, newStandIn(t)) })
}

// supported skips the test, with the stand-in's reason, when it cannot play a part.
func supported(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// sendError asserts that err is a *ports.SendError whose text holds nothing of
// the message, the recipient or the link, and returns it.
func sendError(t *testing.T, err error) *ports.SendError {
	t.Helper()
	var se *ports.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *ports.SendError", err, err)
	}
	for _, secret := range append(mailSecrets, mailSample.Text, mailSample.HTML) {
		if strings.Contains(se.Error(), secret) {
			t.Errorf("error %q gives away %q", se.Error(), secret)
		}
	}
	return se
}

// checkDelivered asserts that the stand-in accepted exactly the messages to the
// recipients in to, each with the sample's link, and that attempts reached it.
func checkDelivered(t *testing.T, s MailStandIn, attempts int, to ...string) {
	t.Helper()
	got := s.Delivered()
	if len(got) != len(to) || s.Attempts() != attempts {
		t.Fatalf("the stand-in accepted %d messages of %d attempts; want %d of %d", len(got), s.Attempts(), len(to), attempts)
	}
	for i, m := range got {
		if m.To != to[i] || !strings.Contains(m.Text, mailLink) {
			t.Errorf("message %d went to %q with text %q; want %q with the link", i, m.To, m.Text, to[i])
		}
	}
}
