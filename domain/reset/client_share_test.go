package reset_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/reset"
)

// TestOneClientCannotUseUpTheHourlyCap is issue 18's item 4: one client asking for
// links to many real users used up the hourly cap, and every other user's link was
// suppressed for the rest of the hour. A client's links now count against its share
// of the cap (LinksPerClient): over it, that client is refused (client_cap), and
// another client's link still goes out. Unknown logins count against the same share.
func TestOneClientCannotUseUpTheHourlyCap(t *testing.T) {
	people := numbered(12)
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: time.Second, LinkDailyCap: 1, LinksPerHour: 10, LinksPerClient: 4,
		Secret: []byte(secretKey)}
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	box := &ledger{Outbox: memory.NewOutbox()}
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
		Users: memory.NewUserStore([]string{"username"}, people...), Outbox: box,
		Signer: link.NewSigner([]byte(secretKey), false), Clock: clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	ask := func(login, client string) {
		t.Helper()
		clock.now = clock.now.Add(2 * time.Second)
		if err := sender.Send(context.Background(), reset.Lookup{Value: login, Client: client}); err != nil {
			t.Fatalf("link for %s: %v", login, err)
		}
	}

	for i := range 10 {
		ask(fmt.Sprintf("user%d", i), "2001:db8::/64")
	}
	want := []string{"queued", "queued", "queued", "queued"}
	for range 6 {
		want = append(want, reset.ReasonClientCap)
	}
	if got := box.take(); !slices.Equal(got, want) {
		t.Fatalf("one client asking for ten users' links: %v, want %v", got, want)
	}
	ask("nobody-such", "2001:db8::/64")
	if got := box.take(); !slices.Equal(got, []string{reset.ReasonClientCap}) {
		t.Fatalf("an unknown login from the client over its share: %v, want client_cap as a known one", got)
	}
	ask("user10", "192.0.2.7")
	ask("user11", "")
	if got := box.take(); !slices.Equal(got, []string{"queued", "queued"}) {
		t.Fatalf("other clients after one used its share: %v, want their links to go out", got)
	}
}
