package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/ports"
)

// TestRefusedRequestsStoreBounded (issue 18 item 9): what a stream of requests
// that send nothing stores is bounded by the requests the limits count, not by the
// requests made. Messages to nobody (unknown logins) share one suppressed record
// per reason, each overwriting it; a refused request counts no event and
// overwrites the record of the limit that refused it. 200 unknown logins, each
// new, against a strangers' cap of 5 store 2 records (unknown, over the cap) and
// 15 events; 100 requests for one user in the cooldown store 1 pending message
// and 1 refused record; links an operator printed keep a record each. Before the
// fix every request stored a row: 200 and 100.
func TestRefusedRequestsStoreBounded(t *testing.T) {
	pool := migrated(t)
	box := postgres.NewOutbox(pool, 0)
	at := time.Now()
	for i := range 200 {
		user := fmt.Sprint("unknown-", i)
		limits := []ports.Limit{{Key: "cooldown:" + user, Max: 1, Window: time.Minute, Reason: "cooldown"},
			{Key: "user:" + user, Max: 3, Window: 24 * time.Hour, Reason: "daily_cap"},
			{Key: "global:unknown", Max: 5, Window: time.Hour, Reason: "global_cap"}}
		m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", UserID: user, Text: "link"}, Limits: limits, Suppress: "unknown_user"}
		if _, _, err := box.AddLimited(testCtx(t), m, at.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if rows, events := stored(t, pool); rows != 2 || events != 15 {
		t.Fatalf("200 unknown logins with a cap of 5 stored %d records and %d events; want 2 and 15", rows, events)
	}

	exec(t, pool, "DELETE FROM pwreset_outbox")
	cooldown := []ports.Limit{{Key: "cooldown:u1", Max: 1, Window: time.Hour, Reason: "cooldown"}}
	var first, last string
	for i := range 100 {
		m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", UserID: "u1", To: "u1@example.com", Text: "link"}, Limits: cooldown}
		id, _, err := box.AddLimited(testCtx(t), m, at.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			first = id
		}
		last = id
	}
	if rows, _ := stored(t, pool); rows != 2 {
		t.Fatalf("100 requests in a cooldown stored %d records; want 2 (the message, the refused record)", rows)
	}
	env, err := box.Get(testCtx(t), first)
	if err != nil || first != last || env.State != ports.StateSuppressed || !env.CreatedAt.Equal(at.Add(99*time.Second).Truncate(time.Microsecond)) {
		t.Fatalf("the refused record %s (last %s): %+v, %v; want the latest refusal's", first, last, env, err)
	}

	exec(t, pool, "DELETE FROM pwreset_outbox")
	printed := []ports.Limit{{Key: "user:u1", Max: 1 << 31, Window: 24 * time.Hour, Reason: "daily_cap"}}
	for i := range 3 {
		m := ports.LimitedMessage{Message: ports.Message{Kind: "reset_link", UserID: "u1", To: "u1@example.com"}, Limits: printed, Suppress: "printed"}
		if _, _, err := box.AddLimited(testCtx(t), m, at.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if rows, _ := stored(t, pool); rows != 3 {
		t.Fatalf("3 printed links stored %d records; want 3", rows)
	}
}

// stored counts the outbox's records and the limits' events.
func stored(t *testing.T, pool *pgxpool.Pool) (rows, events int) {
	t.Helper()
	err := pool.QueryRow(testCtx(t), "SELECT (SELECT count(*) FROM pwreset_outbox), (SELECT count(*) FROM pwreset_rate_limits)").Scan(&rows, &events)
	if err != nil {
		t.Fatal(err)
	}
	return rows, events
}
