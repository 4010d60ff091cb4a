package contract

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/ports"
)

func testMailAccepted(t *testing.T, s MailStandIn) {
	id, err := s.Mailer().Send(t.Context(), mailSample)
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v; want a provider id and no error", id, err)
	}
	checkDelivered(t, s, 1, mailSample.To)
}

// refusal is what the stand-ins refuse with: a relay's words that quote the
// recipient (as Postfix does) and the link (as URL filters do).
const refusal = "Recipient address rejected: <ann@example.org> and link " + mailLink + " not allowed"

func testMailRefused(t *testing.T, s MailStandIn, permanent bool) {
	supported(t, s.Refuse(permanent, refusal))
	_, err := s.Mailer().Send(t.Context(), mailSample)
	se := sendError(t, err)
	if se.Permanent != permanent || se.Status == 0 || !strings.Contains(se.Reason, "Recipient address rejected") {
		t.Errorf("got %#v; want status set, permanent %v, and the provider's words", se, permanent)
	}
	checkDelivered(t, s, 1) // refused once, and not tried again
}

func testMailRetryAfter(t *testing.T, s MailStandIn) {
	const wait = 7 * time.Second
	supported(t, s.Throttle(wait))
	_, err := s.Mailer().Send(t.Context(), mailSample)
	se := sendError(t, err)
	if se.Permanent || se.Status == 0 || se.RetryAfter != wait {
		t.Errorf("got %#v; want a temporary refusal with RetryAfter %v", se, wait)
	}
	checkDelivered(t, s, 1)
}

func testMailTimeout(t *testing.T, s MailStandIn) {
	supported(t, s.Hang())
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.Mailer().Send(ctx, mailSample)
		done <- err
	}()
	select {
	case err := <-done:
		if se := sendError(t, err); se.Permanent || se.Status != 0 {
			t.Errorf("got %#v; want a temporary failure without a status", se)
		}
	case <-time.After(time.Minute):
		// The stand-in holds the message until the test ends: only the deadline,
		// 200 times shorter than this, can have ended the send.
		t.Fatal("Send still waits a minute after its 300ms deadline")
	}
	if n := len(s.Delivered()); n != 0 {
		t.Errorf("%d messages accepted by a stand-in that never answers", n)
	}
}

func testMailDuplicates(t *testing.T, s MailStandIn) {
	supported(t, s.FailAfterAccept())
	m := s.Mailer()
	second := mailSample
	second.To = "bob@example.org"
	for _, msg := range []ports.Message{mailSample, second} {
		if _, err := m.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send to %s: %v; want the accepted message reported sent", msg.To, err)
		}
	}
	checkDelivered(t, s, 2, mailSample.To, second.To)
}
