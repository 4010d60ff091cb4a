package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestSettleUsesNoDueIndex (issue 21, delivery that slowed down within a run):
// settling a message (alone or in a batch), releasing one, or stamping its traceparent as AddLimited
// stores it, finds it by its id, never by a scan of pwreset_outbox_due. pgx
// prepares each statement, and PostgreSQL plans a prepared one generically after
// five runs; with the state written as a literal, that plan could prove the due
// index's predicate and, planned while the index was small, read all of it for the
// id on every MarkSent until the table's next ANALYZE: every dead entry since the
// last vacuum (123 blocks a call on average in a 6-window bench run). Here, as
// after a vacuum in that run, the table holds many messages, all sent, so that the
// due index is tiny beside the primary key; the connection plans generically from
// the start.
func TestSettleUsesNoDueIndex(t *testing.T) {
	pool := sentOutbox(t)
	exec(t, pool, "VACUUM ANALYZE pwreset_outbox")
	box := postgres.NewOutbox(pool, 0)
	settles := map[string]func(id string) error{
		"MarkSent":   func(id string) error { return box.MarkSent(testCtx(t), id, "w", "p", time.Now()) },
		"MarkFailed": func(id string) error { return box.MarkFailed(testCtx(t), id, "w", "r", time.Now()) },
		"Reschedule": func(id string) error { return box.Reschedule(testCtx(t), id, "w", time.Now(), "r") },
		"MarkSentBatch": func(id string) error {
			return box.MarkSentBatch(testCtx(t), []ports.Delivery{{ID: id, Owner: "w", ProviderID: "p", At: time.Now()}})[0]
		},
	}
	id, err := box.Add(testCtx(t), ports.Message{Kind: "reset_link", To: "a@example.com", Text: "held"}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	before := dueIndexScans(t, pool)
	if err := box.Release(testCtx(t), id, time.Now()); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if scans := dueIndexScans(t, pool) - before; scans != 0 {
		t.Errorf("Release scanned pwreset_outbox_due %d times; want the message found by its id", scans)
	}
	for name, settle := range settles {
		before = dueIndexScans(t, pool)
		_, _, err := box.AddLimited(testCtx(t), ports.LimitedMessage{Message: ports.Message{Kind: "reset_link",
			To: "a@example.com", Text: "link", TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if scans := dueIndexScans(t, pool) - before; scans != 0 {
			t.Errorf("AddLimited with a traceparent scanned pwreset_outbox_due %d times; want the message found by its id", scans)
		}
		env, err := box.Claim(testCtx(t), "w", time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		before = dueIndexScans(t, pool)
		if err := settle(env.ID); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if scans := dueIndexScans(t, pool) - before; scans != 0 {
			t.Errorf("%s scanned pwreset_outbox_due %d times; want the message found by its id", name, scans)
		}
	}
}

// dueIndexScans is how often pwreset_outbox_due was scanned, once the one
// connection of pool has reported its statistics (it does when it goes idle after
// pg_stat_force_next_flush).
func dueIndexScans(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	exec(t, pool, "SELECT pg_stat_force_next_flush()")
	var n int64
	err := pool.QueryRow(testCtx(t), "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelid = 'pwreset_outbox_due'::regclass").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMailWaitingUsesTheDueIndex: counting the e-mails waiting reads the index of
// unfinished messages, not the table's finished ones, under a generic plan: a
// campaign asks before every page.
func TestMailWaitingUsesTheDueIndex(t *testing.T) {
	pool := sentOutbox(t)
	box := postgres.NewOutbox(pool, 0)
	for _, kind := range []string{"reset_link", "breach_reset", ports.EventKindPrefix + "reset_link.sent"} {
		if _, err := box.Add(testCtx(t), ports.Message{Kind: kind, To: "a@example.com", Text: "x"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, pool, "VACUUM ANALYZE pwreset_outbox")
	before := dueIndexScans(t, pool)
	n, err := box.MailWaiting(testCtx(t))
	if err != nil || n != 2 {
		t.Fatalf("MailWaiting = %d, %v; want the 2 e-mails", n, err)
	}
	if scans := dueIndexScans(t, pool) - before; scans == 0 {
		t.Error("MailWaiting did not use pwreset_outbox_due: it read the finished messages too")
	}
}

// sentOutbox is a migrated schema of its own, on one connection that plans every
// statement generically, whose outbox holds 5,000 sent messages.
func sentOutbox(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := pgtest.WithParam(pgtest.WithParam(pgtest.NewSchema(t), "pool_max_conns", "1"), "plan_cache_mode", "force_generic_plan")
	pool := pgtest.Pool(t, url)
	if _, err := postgres.Migrate(testCtx(t), pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	exec(t, pool, `INSERT INTO pwreset_outbox (state, created_at, next_attempt_at, finished_at, kind, user_id,
		from_address, to_address, subject, body_text, body_html)
		SELECT 'sent', now(), now(), now(), 'reset_link', 'u', 'f', 't', '', '', '' FROM generate_series(1, 5000)`)
	return pool
}
