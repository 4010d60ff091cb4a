package postgres

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/django"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
	"github.com/pwreset/pwreset/e2e/harness"
)

// TestPostgresEndToEnd runs the binary on PostgreSQL (Django's auth_user) and an
// SMTP relay over STARTTLS: a link by mail, a reset, the new hash verified, and
// nothing written to the table but the password and the changed-at column.
func TestPostgresEndToEnd(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	id := harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{User: "relay", Password: "relay-secret"})
	p, api := harness.ServePostgres(t, harness.PostgresEnv(dbURL, relay))
	row := func() string {
		var s string
		if err := pool.QueryRow(context.Background(), `SELECT (u.last_login, u.is_superuser, u.username, u.first_name,
			u.last_name, u.email, u.is_staff, u.is_active, u.date_joined)::text FROM auth_user u`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := row()

	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	m := harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0]
	if !m.TLS || m.User != "relay" || m.From != "noreply@example.com" {
		t.Fatalf("relayed: TLS %v, user %q, from %q; want STARTTLS, authenticated, from the configured sender", m.TLS, m.User, m.From)
	}
	link := harness.RelayedLink(t, m)
	if link.Get("user_id") != id {
		t.Fatalf("link user_id %q, want %s", link.Get("user_id"), id)
	}
	harness.WantDetail(t, "reset", harness.ResetWith(t, api, link, harness.NewPassword), 200, "Reset password successful")

	h := argon2.NewHasher(argon2.DefaultParams())
	stored := harness.StoredHash(t, pool, id)
	if ok, err := h.Verify(stored, harness.NewPassword); !ok || err != nil {
		t.Fatalf("stored hash %q does not verify the new password: %v", stored, err)
	}
	if ok, _ := h.Verify(stored, harness.OldPassword); ok {
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
	// The relay holds the notice before the dispatcher has marked it sent: wait
	// for the outbox to settle rather than count at once.
	harness.AwaitRelayed(t, relay, "alice@example.com", 2) // the password-changed notice
	awaitOutboxSettled(t, pool)
	harness.AssertNoLinkLogged(t, p)
}

// TestPostgresOneTimeLinkRace posts 20 resets with one one-time link at once on
// PostgreSQL: exactly one wins, and the stored hash is the winner's.
func TestPostgresOneTimeLinkRace(t *testing.T) {
	const racers = 20
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	id := harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	_, api := harness.ServePostgres(t, append(harness.PostgresEnv(dbURL, relay), "RESET_PASSWORD_VERIFICATION_ONE_TIME_USE=true"))
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	link := harness.RelayedLink(t, harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0])

	password := func(i int) string { return fmt.Sprintf("racer %02d's own passphrase", i) }
	winner := harness.OneWinner(t, harness.RaceResets(t, api, link, racers, password))
	stored := harness.StoredHash(t, pool, id)
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
	id := harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	_, api := harness.ServePostgres(t, append(harness.PostgresEnv(dbURL, relay), "DATABASE_TIMEOUT=2s"))
	harness.WantDetail(t, "before the outage", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	link := harness.RelayedLink(t, harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0])

	server.Stop()
	for _, what := range []string{"send link", "reset"} {
		var r harness.Reply
		if what == "send link" {
			r = harness.SendLink(t, api, "alice")
		} else {
			r = harness.ResetWith(t, api, link, harness.NewPassword)
		}
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" ||
			r.Body["detail"] != "Service temporarily unavailable." {
			t.Fatalf("%s during the outage: %d %s (Retry-After %q); want 503 with Retry-After", what, r.Status, r.Raw, r.Header.Get("Retry-After"))
		}
	}

	awaitReadiness(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/readyz", http.StatusServiceUnavailable)

	server.Start()
	awaitReadiness(t, strings.TrimSuffix(api, "/api/v1/accounts/")+"/readyz", http.StatusOK)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := harness.ResetWith(t, api, link, harness.NewPassword)
		if r.Status == 200 {
			break
		}
		if r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the restart: %d %s", r.Status, r.Raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A pool of its own: the test's connections died with the server.
	if ok, _ := argon2.NewHasher(argon2.DefaultParams()).Verify(harness.StoredHash(t, pgtest.Pool(t, dbURL), id), harness.NewPassword); !ok {
		t.Fatal("the reset after the outage did not store the new password")
	}
}

// TestSMTPDeferred: the relay defers the first delivery (451); the outbox retries,
// and the mail arrives once.
func TestSMTPDeferred(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	harness.SeedDjangoAlice(t, pgtest.Pool(t, dbURL))
	relay := smtptest.Start(t, smtptest.Options{})
	relay.Reply(451, "greylisted, come back later")
	relay.Reply(421, "too busy")
	p, api := harness.ServePostgres(t, harness.PostgresEnv(dbURL, relay))
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	got := harness.AwaitRelayed(t, relay, "alice@example.com", 1)
	if len(got) != 1 || relay.Attempts() != 3 {
		t.Fatalf("%d messages after %d attempts; want 1 after 3 (two deferred)", len(got), relay.Attempts())
	}
	p.Await(t, regexp451)
}

// regexp451 finds the dispatcher's note of the deferral, with the relay's reason.
var regexp451 = regexp.MustCompile(`451.*greylisted`)

// TestPostgresDjangoSchema: with USER_SCHEMA=django and nothing else about the
// table, pwreset finds Django's own auth_user (no changed-at column), refuses a
// password like the user's last name as Django does, signs links as Django does,
// and stores a hash in Django's format that verifies the new password.
func TestPostgresDjangoSchema(t *testing.T) {
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	execSQL(t, pool, strings.Replace(harness.DjangoTable, ",\n\tpassword_changed_at timestamptz", "", 1))
	hasher := django.NewPBKDF2Hasher(1000)
	hash, err := hasher.Hash(harness.OldPassword)
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, pool, `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
		is_active, date_joined) VALUES ($1, false, 'alice', 'Alice', 'Oberhauser', 'alice@example.com', false, true, now())`, hash)
	relay := smtptest.Start(t, smtptest.Options{})
	var env []string
	for _, kv := range harness.PostgresEnv(dbURL, relay) {
		if !strings.HasPrefix(kv, "USERS_TABLE=") && !strings.HasPrefix(kv, "SECRET_KEY=") {
			env = append(env, kv)
		}
	}
	env = append(env, "USER_SCHEMA=django", "DJANGO_PBKDF2_ITERATIONS=1000", "SECRET_KEY=django-insecure-but-long-enough-for-the-test-of-pwreset-0123456789")
	_, api := harness.ServePostgres(t, env)
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	link := harness.RelayedLink(t, harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0])
	r := harness.ResetWith(t, api, link, "Oberhauser")
	if want := `{"password":["The password is too similar to the last name."],"non_field_errors":[]}`; r.Status != 400 || strings.TrimSpace(r.Raw) != want {
		t.Fatalf("the last name as password: %d %s, want 400 %s", r.Status, r.Raw, want)
	}
	harness.WantDetail(t, "reset", harness.ResetWith(t, api, link, harness.NewPassword), 200, "Reset password successful")
	stored := harness.StoredHash(t, pool, "1")
	if ok, err := hasher.Verify(stored, harness.NewPassword); !ok || err != nil || !strings.HasPrefix(stored, "pbkdf2_sha256$") {
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
	harness.SeedDjangoAlice(t, pool)
	relay := smtptest.Start(t, smtptest.Options{})
	relay.Reply(550, "mailbox unavailable")
	env := harness.PostgresEnv(dbURL, relay)
	_, api := harness.ServePostgres(t, env)
	harness.WantDetail(t, "send link", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	harness.AwaitOutput(t, env, "failed     1", "outbox")
	var reason string
	if err := pool.QueryRow(context.Background(), "SELECT last_error FROM pwreset_outbox WHERE state = 'failed'").Scan(&reason); err != nil ||
		!strings.Contains(reason, "550") || !strings.Contains(reason, "mailbox unavailable") {
		t.Fatalf("failed message's reason: %q, %v; want the relay's 550 and its text", reason, err)
	}
	if relay.Attempts() != 1 {
		t.Fatalf("%d attempts; a permanent refusal is not retried", relay.Attempts())
	}
	harness.RunTool(t, env, "outbox", "retry", "--failed")
	harness.RelayedLink(t, harness.AwaitRelayed(t, relay, "alice@example.com", 1)[0])
}

// TestPostgresHang freezes PostgreSQL under a running service (connections open,
// nothing answers) until the test has its answers: a request gets 503 with
// Retry-After after DATABASE_TIMEOUT instead of waiting on the server, and after
// the thaw the service answers 200 again.
func TestPostgresHang(t *testing.T) {
	server := pgtest.StartServer(t)
	dbURL := pgtest.SchemaOn(t, server.URL())
	harness.SeedDjangoAlice(t, pgtest.Pool(t, dbURL))
	relay := smtptest.Start(t, smtptest.Options{})
	_, api := harness.ServePostgres(t, append(harness.PostgresEnv(dbURL, relay), "DATABASE_TIMEOUT=1s"))
	harness.WantDetail(t, "before the hang", harness.SendLink(t, api, "alice"), 200, "Reset link sent")
	harness.AwaitRelayed(t, relay, "alice@example.com", 1)

	server.Freeze()
	client := http.Client{Timeout: time.Minute} // were the request to wait on the server, this ends the test
	resp, err := client.Post(api+"send-reset-password-link/", "application/json", strings.NewReader(`{"login":"alice"}`))
	server.Thaw()
	if err != nil {
		t.Fatalf("while PostgreSQL hangs: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("while PostgreSQL hangs: %d (Retry-After %q); want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := harness.SendLink(t, api, "alice")
		if r.Status == 200 {
			break
		}
		if r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the thaw: %d %s", r.Status, r.Raw)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPostgresTwoProcessesShareOneOutbox: two services on one database work off a
// backlog that builds while the relay is down; FOR UPDATE SKIP LOCKED hands each
// message to one of them, so every link arrives exactly once.
func TestPostgresTwoProcessesShareOneOutbox(t *testing.T) {
	const n = 30
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	harness.SeedDjangoAlice(t, pool)
	harness.SeedDjangoUsers(t, pool, n)
	relay := smtptest.Start(t, smtptest.Options{})
	relay.SetDown(true)
	// A lease far longer than any send: an expired lease is redelivered by design.
	env := append(harness.PostgresEnv(dbURL, relay), "MAIL_LEASE=40s", "SMTP_TIMEOUT=10s")
	_, apiA := harness.ServePostgres(t, env)
	_, apiB := harness.ServePostgres(t, env)
	for i := range n {
		api := apiA
		if i%2 == 1 {
			api = apiB
		}
		harness.WantDetail(t, "send link", harness.SendLink(t, api, fmt.Sprint("user", i)), 200, "Reset link sent")
	}
	relay.SetDown(false)
	deadline := time.Now().Add(30 * time.Second)
	for len(relay.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	got := map[string]int{}
	for _, m := range relay.Messages() {
		got[m.To[0]]++
	}
	for i := range n {
		if to := fmt.Sprintf("user%d@example.com", i); got[to] != 1 {
			t.Errorf("%s received %d links, want 1", to, got[to])
		}
	}
}

// TestPostgresKilledServiceLosesNoMail kills the service (SIGKILL) while a send is
// in flight: the next service claims that message once its lease expires, and
// every link arrives, the one in flight at most twice.
func TestPostgresKilledServiceLosesNoMail(t *testing.T) {
	const n = 6
	dbURL := pgtest.NewSchema(t)
	pool := pgtest.Pool(t, dbURL)
	harness.SeedDjangoAlice(t, pool)
	harness.SeedDjangoUsers(t, pool, n)
	relay := smtptest.Start(t, smtptest.Options{})
	relay.SetDown(true) // nothing goes out before the kill
	env := harness.PostgresEnv(dbURL, relay)
	p, api := harness.ServePostgres(t, append(env, "MAIL_WORKERS=1"))
	for i := range n {
		harness.WantDetail(t, "send link", harness.SendLink(t, api, fmt.Sprint("user", i)), 200, "Reset link sent")
	}
	relay.SetDelay(800 * time.Millisecond) // the next send is in flight when the kill comes
	before := relay.Attempts()
	relay.SetDown(false)
	deadline := time.Now().Add(20 * time.Second)
	for relay.Attempts() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.Wait()
	relay.SetDelay(0)
	harness.ServePostgres(t, env)
	deadline = time.Now().Add(30 * time.Second)
	got := map[string]int{}
	for {
		clear(got)
		for _, m := range relay.Messages() {
			got[m.To[0]]++
		}
		if len(got) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	twice := 0
	for i := range n {
		switch c := got[fmt.Sprintf("user%d@example.com", i)]; {
		case c == 2:
			twice++
		case c != 1:
			t.Errorf("user%d received %d links, want 1 (or 2 for the one in flight)", i, c)
		}
	}
	if twice > 1 {
		t.Errorf("%d links arrived twice; only the one in flight may", twice)
	}
}

// awaitOutboxSettled waits until every outbox row is sent and holds no body: the
// outbox keeps the metadata of what it sent, never the link.
func awaitOutboxSettled(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var leftovers int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pwreset_outbox
			WHERE state <> 'sent' OR body_text <> '' OR body_html <> '' OR subject <> ''`).Scan(&leftovers)
		if err == nil && leftovers == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s, outbox rows not sent or holding a body: %d, %v", leftovers, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
