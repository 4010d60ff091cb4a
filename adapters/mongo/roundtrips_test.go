package mongo_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// tripLog records the commands a client sends, but those of the connection's
// own upkeep (handshakes, heartbeats, sessions).
type tripLog struct {
	mu       sync.Mutex
	commands []string // "name collection", in order
}

func (l *tripLog) started(_ context.Context, e *event.CommandStartedEvent) {
	switch e.CommandName {
	case "hello", "isMaster", "ismaster", "ping", "endSessions", "saslStart", "saslContinue", "buildInfo":
		return
	}
	coll := ""
	if v, err := e.Command.LookupErr(e.CommandName); err == nil {
		coll, _ = v.StringValueOK()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.commands = append(l.commands, e.CommandName+" "+coll)
}

// drain returns the commands recorded since the last drain.
func (l *tripLog) drain() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.commands
	l.commands = nil
	return c
}

// tripHasher stands in for argon2id, which round trips do not depend on.
type tripHasher struct{}

func (tripHasher) Hash(p string) (string, error)    { return "plain$" + p, nil }
func (tripHasher) Verify(h, p string) (bool, error) { return h == "plain$"+p, nil }

type tripClock struct{}

func (tripClock) Now() time.Time { return time.Now() }

// TestRoundTrips counts the commands one request sends to MongoDB with the default
// limits on (cooldown, daily cap, hourly cap; the per-IP rate of adapters/http is
// apart, see docs/performance.md): they are what a request waits for, as every
// round trip costs a network hop. They are deterministic, unlike timings.
func TestRoundTrips(t *testing.T) {
	log := &tripLog{}
	client, err := driver.Connect(options.Client().ApplyURI(mongotest.URI(t)).
		SetServerSelectionTimeout(10 * time.Second).SetMonitor(&event.CommandMonitor{Started: log.started}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database(mongotest.NewDatabase(t).Name())
	ctx := testCtx(t)
	insert(t, db, bson.D{{Key: "_id", Value: "u1"}, {Key: "username", Value: "alice"},
		{Key: "email", Value: "alice@example.com"}, {Key: "password", Value: "plain$old-password"}})

	users := mongo.NewUserStore(db, mongo.UserMapping{Collection: "users", LoginFields: []string{"username"},
		EmailField: "email", IDField: "_id", PasswordField: "password", PasswordChangedAtField: "password_changed_at"})
	box := mongo.NewOutbox(db, mongo.OutboxConfig{})
	limiter := mongo.NewRateLimiter(db, mongo.RateLimitConfig{})
	// The ticket indexes of the link's limits made at start, as a service does that
	// names their reasons (else its first link request makes them, once).
	if err := box.EnsureIndexes(ctx, time.Hour, reset.ReasonCooldown, reset.ReasonDailyCap, reset.ReasonGlobalCap); err != nil {
		t.Fatal(err)
	}
	if err := limiter.EnsureIndexes(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	queue := outbox.NewQueue(box, outbox.NewDispatcher(outbox.DefaultConfig(), box, nil, tripClock{}, quiet, nil))
	cfg := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://front.example/reset/", From: "noreply@example.com",
		LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 1000, ChangedNotification: true}
	signer := link.NewSigner([]byte("a secret of thirty-two bytes or more"), false)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: cfg, Users: users, Outbox: queue, Signer: signer,
		Clock: tripClock{}, Emails: reset.DefaultEmails(), Audit: audit.New(quiet)})
	capped := cfg
	capped.LinkCooldown, capped.LinkDailyCap = 0, 1 // alice has had her link of the day
	overCap := reset.NewLinkSender(reset.LinkSenderDeps{Config: capped, Users: users, Outbox: queue, Signer: signer,
		Clock: tripClock{}, Emails: reset.DefaultEmails(), Audit: audit.New(quiet)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: cfg, Users: users, Hasher: tripHasher{}, Signer: signer,
		Clock: tripClock{}, Policy: policy.New(8), Outbox: queue, Emails: reset.DefaultEmails(),
		Audit: audit.New(quiet), Log: quiet})
	log.drain()

	cases := []struct {
		name string
		do   func() error
		max  int
	}{
		{"link, known user", func() error { return sender.Send(ctx, reset.Lookup{Value: "alice"}) }, linkRoundTrips},
		{"link, unknown user", func() error { return sender.Send(ctx, reset.Lookup{Value: "nobody"}) }, linkRoundTrips},
		{"link, in the cooldown", func() error { return sender.Send(ctx, reset.Lookup{Value: "alice"}) }, linkRoundTrips},
		{"link, over the daily cap", func() error { return overCap.Send(ctx, reset.Lookup{Value: "alice"}) }, linkRoundTrips},
		{"reset", func() error {
			now := time.Now().Unix()
			return resetter.Reset(ctx, reset.Request{UserID: "u1", Timestamp: now, Password: "blue-Heron-42-lantern",
				Signature: signer.Sign(link.Claims{UserID: "u1", Timestamp: now})})
		}, resetRoundTrips},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(); err != nil {
				t.Fatal(err)
			}
			got := log.drain()
			t.Logf("%d round trips: %s", len(got), strings.Join(got, ", "))
			if len(got) > c.max {
				t.Errorf("%d round trips; want at most %d", len(got), c.max)
			}
		})
	}
}

// The round trips a request takes today, as docs/performance.md lists them: a
// ceiling, so that none is added unnoticed. Issue 17 asks for 3 and 4: a link
// takes 3, whether it goes out or a limit refuses it (the read tells); a reset
// takes 4, the held notice that survives a kill -9 included (issue 8; see
// docs/performance.md, "MongoDB round trips").
const (
	linkRoundTrips = 3 // users 1, outbox 2 (find the limits' events, insert the message with them)
	// users 1, outbox 1 (the notice, held before the write so that a kill -9 cannot
	// lose it), users 1 (the compare-and-set), outbox 1 (the held notice released:
	// due now). The outbox's clock reads the server's time apart, once a minute.
	resetRoundTrips = 4
)
