package reset_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// tracer notes the port calls a link request makes, in order, with what they
// carry: the users' look-ups, and each outbox write with the number of its limits,
// the body bytes it hands over and the body bytes the store then keeps.
type tracer struct {
	trace []string
}

type tracedUsers struct {
	ports.UserStore
	t *tracer
}

func (u tracedUsers) FindByLogin(ctx context.Context, login string) (ports.User, error) {
	u.t.trace = append(u.t.trace, "users.FindByLogin")
	return u.UserStore.FindByLogin(ctx, login)
}

func (u tracedUsers) FindByEmail(ctx context.Context, email string) (ports.User, error) {
	u.t.trace = append(u.t.trace, "users.FindByEmail")
	return u.UserStore.FindByEmail(ctx, email)
}

func (u tracedUsers) FindByID(ctx context.Context, id string) (ports.User, error) {
	u.t.trace = append(u.t.trace, "users.FindByID")
	return u.UserStore.FindByID(ctx, id)
}

type tracedOutbox struct {
	ports.Outbox
	t *tracer
}

func bodyBytes(m ports.Message) int { return len(m.Subject) + len(m.Text) + len(m.HTML) }

func (o tracedOutbox) AddLimited(ctx context.Context, m ports.LimitedMessage, now time.Time) (string, int, error) {
	id, refused, err := o.Outbox.AddLimited(ctx, m, now)
	kept := -1
	if env, gerr := o.Outbox.Get(ctx, id); err == nil && gerr == nil {
		kept = bodyBytes(env.Message)
	}
	o.t.trace = append(o.t.trace, fmt.Sprintf("outbox.AddLimited limits=%d given=%d kept=%d refused=%d",
		len(m.Limits), bodyBytes(m.Message), kept, refused))
	return id, refused, err
}

// TestKnownAndUnknownLoginsDoTheSameWork is issue 18's item 8 (and item 10's demo
// mode, which runs on these memory stores): a known user's link was stored pending
// with its rendered text and HTML (about 2.5 KB), an unknown login's suppressed with
// its body erased, so the two wrote different amounts (and only the first woke the
// dispatcher: TestQueueWakesForEveryStoredMessage in domain/outbox). Now, counted
// exactly, both make the same port calls, hand the store the same body bytes and
// have it keep them; so does a user without an address. Ids have the stand-in's
// length here, as the link carries the id: a real id's own length, and the user's
// address, are all that may differ.
func TestKnownAndUnknownLoginsDoTheSameWork(t *testing.T) {
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://frontend.example/reset-password/",
		From: "noreply@example.com", LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 1000, LinksPerClient: 50,
		Secret: []byte(secretKey)}
	var people []ports.User
	for i := range 20 {
		u := ports.User{ID: fmt.Sprintf("user-%035d", i), PasswordHash: "x", Logins: []ports.Field{{Name: "username", Value: fmt.Sprint("user", i)}}}
		if i%2 == 0 {
			u.Email = fmt.Sprintf("user%d@example.com", i)
		}
		people = append(people, u)
	}
	tr := &tracer{}
	clock := &stepClock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	store := memory.NewStore(clock, memory.OutboxBounds{})
	box := tracedOutbox{Outbox: store.Outbox, t: tr}
	signer := link.NewSigner([]byte(secretKey), false)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg,
		Users:  tracedUsers{memory.NewUserStore([]string{"username"}, people...), tr},
		Outbox: outbox.NewQueue(box, nil), Signer: signer, Clock: clock, Emails: reset.DefaultEmails(),
		Audit: audit.New(nil)})
	ask := func(login string) []string {
		t.Helper()
		tr.trace = nil
		if err := sender.Send(context.Background(), reset.Lookup{Value: login, Client: "192.0.2.1"}); err != nil {
			t.Fatalf("link for %s: %v", login, err)
		}
		return tr.trace
	}
	for i := range 10 {
		clock.now = clock.now.Add(time.Second)
		known := ask(fmt.Sprint("user", 2*i))
		unknown := ask(fmt.Sprint("nobody", i))
		noAddress := ask(fmt.Sprint("user", 2*i+1))
		if !slices.Equal(known, unknown) || !slices.Equal(known, noAddress) {
			t.Fatalf("pair %d:\n known user   %q\n unknown login %q\n no address   %q\nwant the same work", i, known, unknown, noAddress)
		}
		if !strings.Contains(known[1], "refused=-1") || strings.Contains(known[1], "kept=0") {
			t.Fatalf("pair %d: %q; want a link with room, its body kept", i, known[1])
		}
	}
	// What is kept for those that get no e-mail is no credential: its link does not
	// verify, although a user without an address exists.
	stats, err := store.Outbox.Stats(context.Background())
	if err != nil || stats.Counts[ports.StatePending] != 10 || stats.Counts[ports.StateSuppressed] != 20 {
		t.Fatalf("outbox %+v, %v; want 10 pending, 20 suppressed", stats, err)
	}
	for id := 1; id <= 30; id++ {
		env, err := store.Outbox.Get(context.Background(), fmt.Sprint(id))
		if err != nil {
			t.Fatal(err)
		}
		if got := verifies(t, signer, env.Message.Text); got != (env.State == ports.StatePending) {
			t.Fatalf("message %d (%s, %s): its link verifies: %v", id, env.State, env.LastError, got)
		}
	}
}

var linkInText = regexp.MustCompile(`https://\S+`)

// verifies reports whether the link in text carries a valid signature.
func verifies(t *testing.T, signer link.Scheme, text string) bool {
	t.Helper()
	u, err := url.Parse(linkInText.FindString(text))
	if err != nil {
		t.Fatalf("no link in %q: %v", text, err)
	}
	q := u.Query()
	var ts int64
	fmt.Sscan(q.Get("timestamp"), &ts)
	return signer.Verify(link.Claims{UserID: q.Get("user_id"), Timestamp: ts, PasswordHash: "x"}, q.Get("signature"))
}
