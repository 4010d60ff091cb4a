package main

import (
	"context"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// TestPostgresTarget: --postgres seeds a schema of its own with user1..userN and
// demo, gives pwreset its URL and an SMTP sink that accepts mail, and leaves demo
// mode's DEMO_USERS out.
func TestPostgresTarget(t *testing.T) {
	target, err := preparePostgres(pgtest.URL(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.cleanup)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, target.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, "SELECT username FROM users ORDER BY username")
	logins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(logins, []string{"demo", "user1", "user2", "user3"}) {
		t.Fatalf("users: %v, %v; want demo and user1..user3", logins, err)
	}
	env := target.env("a secret")
	for _, want := range []string{"DATABASE_URL=" + target.url, "SMTP_URL=" + target.smtp, "SMTP_TLS=off"} {
		if !slices.Contains(env, want) {
			t.Errorf("env lacks %s: %v", want, env)
		}
	}
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "DEMO_USERS=") }) {
		t.Errorf("env keeps DEMO_USERS, which stops pwreset on a database: %v", env)
	}
	addr := strings.TrimPrefix(target.smtp, "smtp://")
	before := sunk.Load()
	if err := smtp.SendMail(addr, nil, "noreply@example.com", []string{"user1@example.com"}, []byte("Subject: x\r\n\r\nx\r\n")); err != nil {
		t.Fatalf("the SMTP sink refused a message: %v", err)
	}
	if n := sunk.Load() - before; n != 1 {
		t.Errorf("the sink counted %d messages for one accepted; want 1 (--e2e's delivered/s)", n)
	}
}
