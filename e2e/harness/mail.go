package harness

import (
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/sendgrid/sendgridtest"
)

// LinkPattern finds a reset link in a mail's text.
var LinkPattern = regexp.MustCompile(`https://frontend\.example/reset-password/\?\S+`)

// LinkIn returns the query of the one reset link in a mail.
func LinkIn(t *testing.T, m sendgridtest.Message) url.Values {
	t.Helper()
	links := LinkPattern.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("want one link in the mail to %s, found %d: %q", m.To, len(links), m.Text)
	}
	u, err := url.Parse(links[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// MailsTo returns the messages of kind that sg accepted for the address to.
func MailsTo(sg *sendgridtest.Server, to, kind string) []sendgridtest.Message {
	var got []sendgridtest.Message
	for _, m := range sg.Messages() {
		if m.To == to && m.Kind == kind {
			got = append(got, m)
		}
	}
	return got
}

// AwaitMails waits until sg has accepted n messages of kind for to, and returns them.
func AwaitMails(t *testing.T, sg *sendgridtest.Server, to, kind string, n int) []sendgridtest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := MailsTo(sg, to, kind); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s %d %s mails to %s, want %d (%d attempts in all)",
				len(MailsTo(sg, to, kind)), kind, to, n, sg.Attempts())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// AwaitDelivery waits until every one of n users got mail, and checks that each got
// exactly one (up to allowTwice duplicates in all).
func AwaitDelivery(t *testing.T, sg *sendgridtest.Server, n, allowTwice int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		per := map[string]int{}
		for _, m := range sg.Messages() {
			per[m.To]++
		}
		if len(per) == n {
			extra := 0
			for to, k := range per {
				if k > 2 || (k == 2 && allowTwice == 0) {
					t.Fatalf("%s got %d mails", to, k)
				}
				extra += k - 1
			}
			if extra > allowTwice {
				t.Fatalf("%d duplicate mails, at most %d allowed", extra, allowTwice)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s only %d of %d users got mail (%d attempts)", len(per), n, sg.Attempts())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
