package reset_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// secretKey signs the links of the scenarios.
const secretKey = "e2e-secret-key-that-is-at-least-32-bytes"

// ledger is the outbox of a link sender in process: it notes, in order, "queued" for
// each link that goes out and the reason of each that is suppressed.
type ledger struct {
	ports.Outbox
	mu       sync.Mutex
	outcomes []string
	down     bool // every insert fails, as during a failover
}

func (l *ledger) note(outcome string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outcomes = append(l.outcomes, outcome)
}

// AddLimited implements ports.Outbox, as the link sender's queue.
func (l *ledger) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	if l.down {
		return "", 0, fmt.Errorf("insert into the outbox: %w", ports.ErrUnavailable)
	}
	id, refused, err := l.Outbox.AddLimited(ctx, m, now)
	switch {
	case err != nil:
	case refused >= 0:
		l.note(m.Limits[refused].Reason)
	case m.Suppress != "":
		l.note(m.Suppress)
	default:
		l.note("queued")
	}
	return id, refused, err
}

// take returns the outcomes noted since the last call.
func (l *ledger) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := l.outcomes
	l.outcomes = nil
	return got
}

// stepClock is a clock the test moves by hand.
type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }

// TestHourlyCapIsNotUsedUpByRefusedLinks replays issue 8's scenario: with a cooldown
// of 1s, a daily cap of 1 and 5 links an hour, seven requests for one user, a few
// seconds apart, used to give queued, four daily_cap and then global_cap, and every
// other user's link was suppressed for the rest of the hour. Only links that go out
// may count against the hourly cap, and a link the hourly cap stops must not use up
// its user's day.
func TestHourlyCapIsNotUsedUpByRefusedLinks(t *testing.T) {
	people := numbered(6)
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: time.Second, LinkDailyCap: 1, LinksPerHour: 5}
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	box := &ledger{Outbox: memory.NewOutbox()}
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
		Users: memory.NewUserStore([]string{"username"}, people...), Outbox: box,
		Signer: link.NewSigner([]byte(secretKey), false), Clock: clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	ask := func(login string) {
		t.Helper()
		clock.now = clock.now.Add(2 * time.Second) // past the cooldown
		if err := sender.Send(context.Background(), reset.Lookup{Value: login}); err != nil {
			t.Fatalf("link for %s: %v", login, err)
		}
	}

	for range 7 {
		ask("user0")
	}
	want := []string{"queued", "daily_cap", "daily_cap", "daily_cap", "daily_cap", "daily_cap", "daily_cap"}
	if got := box.take(); !slices.Equal(got, want) {
		t.Fatalf("seven requests for user0: %v, want %v", got, want)
	}
	for _, login := range []string{"user1", "user2", "user3", "user4"} {
		ask(login)
	}
	if got := box.take(); !slices.Equal(got, []string{"queued", "queued", "queued", "queued"}) {
		t.Fatalf("after user0's refused requests, four other users got %v; want their links to go out", got)
	}
	ask("user5") // the sixth link of the hour
	if got := box.take(); !slices.Equal(got, []string{"global_cap"}) {
		t.Fatalf("the sixth link of the hour: %v, want global_cap", got)
	}
	clock.now = clock.now.Add(time.Hour)
	ask("user5") // its day is not used up by the link the hourly cap stopped
	if got := box.take(); !slices.Equal(got, []string{"queued"}) {
		t.Fatalf("an hour later, user5's first link to go out: %v, want queued", got)
	}
}

// TestFailedLinkRequestDoesNotSilenceTheRetry: a link request whose outbox insert
// fails (a 503 during a failover) used to leave its limit events behind. The retry
// the answer asks for then fell within the cooldown and was suppressed with a 200,
// and, with older links invalidated, the failed request killed the link the user
// already had. Now the retry goes out and the older link still resets.
func TestFailedLinkRequestDoesNotSilenceTheRetry(t *testing.T) {
	alice := ports.User{ID: "7", Email: "alice@example.com", PasswordHash: "old-hash",
		Logins: []ports.Field{{Name: "username", Value: "alice"}}}
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 100,
		InvalidateOlderLinks: true}
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	box := &ledger{Outbox: memory.NewOutbox()}
	users := memory.NewUserStore([]string{"username"}, alice)
	signer := link.NewSigner([]byte(secretKey), false)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: box, Signer: signer,
		Clock: clock, Emails: reset.DefaultEmails(), Audit: audit.New(nil)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: plainHasher{}, Signer: signer,
		Clock: clock, Policy: policy.New(8), Outbox: outbox.NewQueue(box, nil), Emails: reset.DefaultEmails(),
		Audit: audit.New(nil), Log: slog.New(slog.DiscardHandler)})

	if err := sender.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
		t.Fatal(err)
	}
	issued := clock.now
	clock.now = clock.now.Add(2 * time.Minute)
	box.down = true
	if err := sender.Send(context.Background(), reset.Lookup{Value: "alice"}); !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("link request while the outbox is down: %v, want ErrUnavailable", err)
	}
	box.down = false
	claims := link.Claims{UserID: alice.ID, Timestamp: issued.Unix(), PasswordHash: alice.PasswordHash}
	err := resetter.Reset(context.Background(), reset.Request{UserID: alice.ID, Timestamp: claims.Timestamp,
		Signature: signer.Sign(claims), Password: "a brand new passphrase 42"})
	if err != nil {
		t.Fatalf("the link the user had, after a failed request for a new one: %v", err)
	}
	clock.now = clock.now.Add(time.Second) // the user retries at once, within the cooldown
	if err := sender.Send(context.Background(), reset.Lookup{Value: "alice"}); err != nil {
		t.Fatal(err)
	}
	if got := box.take(); !slices.Equal(got, []string{"queued", "queued"}) {
		t.Fatalf("first link, failed request, retry: %v, want the first and the retry queued", got)
	}
}

// numbered returns n users, user0 to user<n-1>, each with an address.
func numbered(n int) []ports.User {
	var people []ports.User
	for i := range n {
		name := fmt.Sprintf("user%d", i)
		people = append(people, ports.User{ID: fmt.Sprint(100 + i), Email: name + "@example.com", PasswordHash: "x",
			Logins: []ports.Field{{Name: "username", Value: name}}})
	}
	return people
}

// plainHasher "hashes" by prefixing: enough for tests that do not look at hashes.
type plainHasher struct{}

func (plainHasher) Hash(p string) (string, error)    { return "plain$" + p, nil }
func (plainHasher) Verify(h, p string) (bool, error) { return h == "plain$"+p, nil }

// TestOperatorLinkStartsTheCooldown: a link an operator sends (`pwreset send-link`,
// `outbox retry`) counts as the user's latest, so a request of theirs within the
// cooldown after it is refused, and one after it goes out. Before, only the daily
// cap recorded it; on MongoDB, where `outbox retry` deletes the failed message with
// the cooldown's event of the link it re-sends, the user could then ask for another
// at once (the simulation, TestSimMongo seed 121).
func TestOperatorLinkStartsTheCooldown(t *testing.T) {
	people := numbered(1)
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: 10 * time.Minute, LinkDailyCap: 5}
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	box := &ledger{Outbox: memory.NewOutbox()}
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
		Users: memory.NewUserStore([]string{"username"}, people...), Outbox: box,
		Signer: link.NewSigner([]byte(secretKey), false), Clock: clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	ctx := context.Background()
	if _, err := sender.SendLink(ctx, reset.Target{Login: "user0"}); err != nil {
		t.Fatal(err)
	}
	for _, wait := range []time.Duration{9 * time.Minute, 2 * time.Minute} {
		clock.now = clock.now.Add(wait)
		if err := sender.Send(ctx, reset.Lookup{Value: "user0"}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := box.take(), []string{"queued", "cooldown", "queued"}; !slices.Equal(got, want) {
		t.Errorf("an operator's link, then the user's requests 9 and 11 minutes later: %v, want %v", got, want)
	}
}
