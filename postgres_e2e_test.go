package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/django"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
)

// TestPostgresEndToEnd runs the binary on PostgreSQL (Django's auth_user) and an
// SMTP relay over STARTTLS: a link by mail, a reset, the new hash verified, and
// nothing written to the table but the password and the changed-at column.
func TestPostgresEndToEnd(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	id := seedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{User: "relay", Password: "relay-secret"})
	p, api := servePostgres(t, postgresEnv(dbURL, relay))
	row := func() string {
		var s string
		if err := pool.QueryRow(context.Background(), `SELECT (u.last_login, u.is_superuser, u.username, u.first_name,
			u.last_name, u.email, u.is_staff, u.is_active, u.date_joined)::text FROM auth_user u`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := row()

	wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
	m := awaitRelayed(t, relay, "alice@example.com", 1)[0]
	if !m.TLS || m.User != "relay" || m.From != "noreply@example.com" {
		t.Fatalf("relayed: TLS %v, user %q, from %q; want STARTTLS, authenticated, from the configured sender", m.TLS, m.User, m.From)
	}
	link := relayedLink(t, m)
	if link.Get("user_id") != id {
		t.Fatalf("link user_id %q, want %s", link.Get("user_id"), id)
	}
	wantDetail(t, "reset", resetWith(t, api, link, newPassword), 200, "Reset password successful")

	h := argon2.NewHasher(argon2.DefaultParams())
	stored := storedHash(t, pool, id)
	if ok, err := h.Verify(stored, newPassword); !ok || err != nil {
		t.Fatalf("stored hash %q does not verify the new password: %v", stored, err)
	}
	if ok, _ := h.Verify(stored, oldPassword); ok {
		t.Fatal("stored hash still verifies the old password")
	}
	var changed *time.Time
	if err := pool.QueryRow(context.Background(), "SELECT password_changed_at FROM auth_user").Scan(&changed); err != nil || changed == nil {
		t.Fatalf("password_changed_at: %v, %v; want the time of the reset", changed, err)
	}
	if after := row(); after != before {
		t.Fatalf("the reset wrote other columns:\nbefore %s\nafter  %s", before, after)
	}
	// The outbox keeps the metadata of what it sent, never the link.
	awaitRelayed(t, relay, "alice@example.com", 2) // the password-changed notice
	var leftovers int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pwreset_outbox
		WHERE state <> 'sent' OR body_text <> '' OR body_html <> '' OR subject <> ''`).Scan(&leftovers)
	if err != nil || leftovers != 0 {
		t.Fatalf("outbox rows not sent or holding a body: %d, %v", leftovers, err)
	}
	assertNoLinkLogged(t, p)
}

// TestPostgresOneTimeLinkRace posts 20 resets with one one-time link at once on
// PostgreSQL: exactly one wins, and the stored hash is the winner's.
func TestPostgresOneTimeLinkRace(t *testing.T) {
	const racers = 20
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	id := seedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	_, api := servePostgres(t, append(postgresEnv(dbURL, relay), "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true"))
	wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
	link := relayedLink(t, awaitRelayed(t, relay, "alice@example.com", 1)[0])

	password := func(i int) string { return fmt.Sprintf("racer %02d's own passphrase", i) }
	replies, errs := make([]reply, racers), make([]error, racers)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-gate
			replies[i], errs[i] = tryCall(api+"reset-password/", resetBody(link, password(i)))
		})
	}
	close(gate)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	winner := -1
	for i, r := range replies {
		switch {
		case r.status == 200 && r.body["detail"] == "Reset password successful":
			if winner >= 0 {
				t.Fatalf("racers %d and %d both reset the password with one one-time link", winner, i)
			}
			winner = i
		case r.status == 400 && r.body["detail"] == "Invalid signature":
		default:
			t.Fatalf("racer %d: %d %s, want 200 for one and 400 Invalid signature for the others", i, r.status, r.raw)
		}
	}
	if winner < 0 {
		t.Fatal("no racer reset the password")
	}
	stored := storedHash(t, pool, id)
	if ok, err := argon2.NewHasher(argon2.DefaultParams()).Verify(stored, password(winner)); !ok || err != nil {
		t.Fatalf("the stored hash does not verify the winner's (racer %d's) password: %v", winner, err)
	}
}

// TestPostgresOutage stops PostgreSQL under a running service: requests get 503
// with Retry-After, never a hang or a 500, and /readyz says not ready; once the
// server is back the service is ready and answers again by itself, and the link
// requested before the outage still resets.
func TestPostgresOutage(t *testing.T) {
	server := pgtest.StartServer(t)
	dbURL := pgtest.SchemaOn(t, server.URL())
	pool := pgtest.Pool(t, dbURL)
	id := seedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	_, api := servePostgres(t, append(postgresEnv(dbURL, relay), "DATABASE_TIMEOUT=2s"))
	wantDetail(t, "before the outage", sendLink(t, api, "alice"), 200, "Reset link sent")
	link := relayedLink(t, awaitRelayed(t, relay, "alice@example.com", 1)[0])

	server.Stop()
	for _, what := range []string{"send link", "reset"} {
		var r reply
		if what == "send link" {
			r = sendLink(t, api, "alice")
		} else {
			r = resetWith(t, api, link, newPassword)
		}
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" ||
			r.body["detail"] != "Service temporarily unavailable." {
			t.Fatalf("%s during the outage: %d %s (Retry-After %q); want 503 with Retry-After", what, r.status, r.raw, r.header.Get("Retry-After"))
		}
	}

	awaitReadiness(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/readyz", http.StatusServiceUnavailable)

	server.Start()
	awaitReadiness(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/readyz", http.StatusOK)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := resetWith(t, api, link, newPassword)
		if r.status == 200 {
			break
		}
		if r.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the restart: %d %s", r.status, r.raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A pool of its own: the test's connections died with the server.
	if ok, _ := argon2.NewHasher(argon2.DefaultParams()).Verify(storedHash(t, pgtest.Pool(t, dbURL), id), newPassword); !ok {
		t.Fatal("the reset after the outage did not store the new password")
	}
}

// TestSMTPDeferred: the relay defers the first delivery (451); the outbox retries,
// and the mail arrives once.
func TestSMTPDeferred(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	seedDjangoAlice(t, pgtest.Pool(t, dbURL))
	relay := smtptest.Start(t, smtptest.Options{})
	relay.Reply(451, "greylisted, come back later")
	relay.Reply(421, "too busy")
	p, api := servePostgres(t, postgresEnv(dbURL, relay))
	wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
	got := awaitRelayed(t, relay, "alice@example.com", 1)
	if len(got) != 1 || relay.Attempts() != 3 {
		t.Fatalf("%d messages after %d attempts; want 1 after 3 (two deferred)", len(got), relay.Attempts())
	}
	p.await(t, regexp451)
}

// TestPostgresDjangoSchema: with USER_SCHEMA=django and nothing else about the
// table, pwreset finds Django's own auth_user (no changed-at column), signs links
// as Django does, and stores a hash in Django's format that verifies the new password.
func TestPostgresDjangoSchema(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	execSQL(t, pool, strings.Replace(djangoTable, ",\n\tpassword_changed_at timestamptz", "", 1))
	hasher := django.NewPBKDF2Hasher(1000)
	hash, err := hasher.Hash(oldPassword)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, pool, `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
		is_active, date_joined) VALUES ($1, false, 'alice', '', '', 'alice@example.com', false, true, now())`, hash)
	relay := smtptest.Start(t, smtptest.Options{})
	var env []string
	for _, kv := range postgresEnv(dbURL, relay) {
		if !strings.HasPrefix(kv, "USERS_TABLE=") && !strings.HasPrefix(kv, "SECRET_KEY=") {
			env = append(env, kv)
		}
	}
	env = append(env, "USER_SCHEMA=django", "DJANGO_PBKDF2_ITERATIONS=1000", "SECRET_KEY=django-insecure-but-long-enough-for-the-test-of-pwreset-0123456789")
	_, api := servePostgres(t, env)
	wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
	link := relayedLink(t, awaitRelayed(t, relay, "alice@example.com", 1)[0])
	wantDetail(t, "reset", resetWith(t, api, link, newPassword), 200, "Reset password successful")
	stored := storedHash(t, pool, "1")
	if ok, err := hasher.Verify(stored, newPassword); !ok || err != nil || !strings.HasPrefix(stored, "pbkdf2_sha256$") {
		t.Fatalf("stored %q: verifies the new password %v (%v); want Django's pbkdf2_sha256", stored, ok, err)
	}
}

// execSQL runs one statement on pool, failing the test on an error.
func execSQL(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// awaitReadiness polls url until it answers want (readiness is cached a moment).
func awaitReadiness(t *testing.T, url string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s never answered %d (last: %v, %v)", url, want, resp, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSMTPRejected: the relay rejects the link e-mail (550); the message fails at
// once, without a retry, its reason the relay's, and `pwreset outbox retry --failed`
// sends a fresh link that arrives.
func TestSMTPRejected(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	seedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	relay.Reply(550, "mailbox unavailable")
	env := postgresEnv(dbURL, relay)
	_, api := servePostgres(t, env)
	wantDetail(t, "send link", sendLink(t, api, "alice"), 200, "Reset link sent")
	awaitOutput(t, env, "failed     1", "outbox")
	var reason string
	if err := pool.QueryRow(context.Background(), "SELECT last_error FROM pwreset_outbox WHERE state = 'failed'").Scan(&reason); err != nil ||
		!strings.Contains(reason, "550") || !strings.Contains(reason, "mailbox unavailable") {
		t.Fatalf("failed message's reason: %q, %v; want the relay's 550 and its text", reason, err)
	}
	if relay.Attempts() != 1 {
		t.Fatalf("%d attempts; a permanent refusal is not retried", relay.Attempts())
	}
	runTool(t, env, "outbox", "retry", "--failed")
	relayedLink(t, awaitRelayed(t, relay, "alice@example.com", 1)[0])
}
