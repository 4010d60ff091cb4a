package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/link"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
)

// statementLog records the statements a pool runs, the first word of each.
type statementLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	words := strings.Fields(d.SQL)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(words) > 3 {
		words = words[:3]
	}
	l.stmts = append(l.stmts, strings.Join(words, " "))
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *statementLog) drain() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stmts
	l.stmts = nil
	return s
}

// tracedPool is a migrated schema of its own whose statements log records, on at
// most maxConns connections (0: pgx's default).
func tracedPool(t *testing.T, log *statementLog, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = log
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgres.Migrate(testCtx(t), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

type tripHasher struct{}

func (tripHasher) Hash(p string) (string, error)    { return "plain$" + p, nil }
func (tripHasher) Verify(h, p string) (bool, error) { return h == "plain$"+p, nil }

type tripClock struct{}

func (tripClock) Now() time.Time { return time.Now() }

// TestRoundTrips counts the statements one request runs on PostgreSQL with the
// default limits on (cooldown, daily cap, hourly cap), each a round trip (pgx
// prepares a statement once per connection, and the pool is warm): a ceiling, so
// that none is added unnoticed. A known and an unknown login run the same
// statements, so that neither the count nor their kind tells them apart.
func TestRoundTrips(t *testing.T) {
	log := &statementLog{}
	pool := tracedPool(t, log, 1) // one connection: its statements are prepared by the warm-up
	exec(t, pool, "CREATE TABLE users (id text PRIMARY KEY, username text UNIQUE, email text, password text, password_changed_at timestamptz)")
	exec(t, pool, "INSERT INTO users VALUES ('u1', 'alice', 'alice@example.com', 'plain$old-password', NULL)")
	users := newUserStore(t, pool, postgres.UserMapping{ChangedAtColumn: "password_changed_at"})
	box := postgres.NewOutbox(pool, 0)

	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	queue := outbox.NewQueue(box, outbox.NewDispatcher(outbox.DefaultConfig(), box, nil, tripClock{}, quiet, nil))
	rc := reset.Config{Enabled: true, Period: 24 * time.Hour, URL: "https://front.example/reset/", From: "noreply@example.com",
		LinkCooldown: time.Minute, LinkDailyCap: 5, LinksPerHour: 1000, ChangedNotification: true}
	signer := link.NewSigner([]byte("a secret of thirty-two bytes or more"), false)
	sender := reset.NewLinkSender(reset.LinkSenderDeps{Config: rc, Users: users, Outbox: queue, Signer: signer,
		Clock: tripClock{}, Emails: reset.DefaultEmails(), Audit: audit.New(quiet)})
	resetter := reset.NewResetter(reset.ResetterDeps{Config: rc, Users: users, Hasher: tripHasher{}, Signer: signer,
		Clock: tripClock{}, Policy: policy.New(8), Outbox: queue, Emails: reset.DefaultEmails(),
		Audit: audit.New(quiet), Log: quiet})
	resetOnce := func() error {
		now := time.Now().Unix()
		return resetter.Reset(testCtx(t), reset.Request{UserID: "u1", Timestamp: now, Password: "blue-Heron-42-lantern",
			Signature: signer.Sign(link.Claims{UserID: "u1", Timestamp: now})})
	}
	// Warm-up: every statement prepared once on the connection.
	if err := sender.Send(testCtx(t), reset.Lookup{Value: "warm-up"}); err != nil {
		t.Fatal(err)
	}
	log.drain()

	cases := []struct {
		name string
		do   func() error
		max  int
	}{
		{"link, known user", func() error { return sender.Send(testCtx(t), reset.Lookup{Value: "alice"}) }, linkRoundTrips},
		{"link, unknown user", func() error { return sender.Send(testCtx(t), reset.Lookup{Value: "nobody"}) }, linkRoundTrips},
		{"link, in the cooldown", func() error { return sender.Send(testCtx(t), reset.Lookup{Value: "alice"}) }, linkRoundTrips},
		{"reset", resetOnce, resetRoundTrips},
		{"reset again", resetOnce, resetRoundTrips},
	}
	ran := map[string][]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.do(); err != nil {
				t.Fatal(err)
			}
			got := log.drain()
			ran[c.name] = got
			t.Logf("%d round trips: %s", len(got), strings.Join(got, "; "))
			if len(got) > c.max {
				t.Errorf("%d round trips; want at most %d", len(got), c.max)
			}
		})
	}
	if known, unknown := ran["link, known user"], ran["link, unknown user"]; !slices.Equal(known, unknown) {
		t.Errorf("a known login ran %q, an unknown one %q; want the same statements", known, unknown)
	}
}

// The round trips a request takes on PostgreSQL, as docs/adapters.md lists them.
const (
	// users 1, the limits with the message 1 (Outbox.AddLimited: the cooldown, daily
	// and hourly caps checked and counted, and the message stored, in one statement).
	linkRoundTrips = 2
	// users 1, outbox 1 (the notice, held before the write so that a kill -9 cannot
	// lose it), compare-and-set 1, outbox 1 (the held notice released: due now).
	resetRoundTrips = 4
)
