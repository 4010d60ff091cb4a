package harness

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pwreset/pwreset/adapters/argon2"
	"github.com/pwreset/pwreset/adapters/smtp/smtptest"
)

// DjangoTable is Django's auth_user, with a password_changed_at column of the team's.
const DjangoTable = `CREATE TABLE auth_user (
	id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz, is_superuser boolean NOT NULL,
	username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,
	email varchar(254) NOT NULL, is_staff boolean NOT NULL, is_active boolean NOT NULL, date_joined timestamptz NOT NULL,
	password_changed_at timestamptz)`

// SeedDjangoAlice creates auth_user on pool holding alice, whose password is
// OldPassword, and returns her id.
func SeedDjangoAlice(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	hash, err := argon2.NewHasher(argon2.DefaultParams()).Hash(OldPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := pool.Exec(ctx, DjangoTable); err != nil {
		t.Fatal(err)
	}
	var id string
	err = pool.QueryRow(ctx, `INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
		is_staff, is_active, date_joined) VALUES ($1, false, 'alice', 'Alice', 'Liddell', 'alice@example.com', true, true,
		'2020-01-02T03:04:05Z') RETURNING id::text`, hash).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// SeedDjangoUsers adds n users to auth_user on pool, user0 (user0@example.com)
// to user<n-1>, none with a usable password.
func SeedDjangoUsers(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `INSERT INTO auth_user (password, is_superuser, username, first_name,
		last_name, email, is_staff, is_active, date_joined) SELECT 'unusable', false, 'user' || i, '', '',
		'user' || i || '@example.com', false, true, now() FROM generate_series(0, $1 - 1) i`, n)
	if err != nil {
		t.Fatal(err)
	}
}

// PostgresEnv configures the binary on PostgreSQL at dbURL, sending through relay
// with STARTTLS (its certificate trusted through SSL_CERT_FILE), with retries and
// polls short enough for tests and rate limits off (a client's share of the hourly
// link cap too): tests send many requests from one address.
func PostgresEnv(dbURL string, relay *smtptest.Server) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + dbURL, "USERS_TABLE=auth_user",
		"SECRET_KEY=" + SecretKey, "RESET_PASSWORD_VERIFICATION_URL=https://frontend.example/reset-password/",
		"VERIFICATION_FROM_EMAIL=noreply@example.com", "RATE_LIMIT_SEND_LINK=off", "RATE_LIMIT_RESET_PASSWORD=off",
		"RESET_PASSWORD_LINKS_CLIENT_SHARE=0", "SMTP_URL=" + relay.URL(), "SSL_CERT_FILE=" + relay.CertFile(), "SMTP_TIMEOUT=1s",
		"MAIL_LEASE=2s", "MAIL_RETRY_MIN=100ms", "MAIL_RETRY_MAX=1s", "OUTBOX_POLL_INTERVAL=200ms",
		"SHUTDOWN_GRACE=3s", "LOG_FORMAT=json", "HTTP_ADDR=127.0.0.1:0", QueueTimeout}
}

// ServePostgres starts the binary with env and returns it with its API's base URL.
func ServePostgres(t *testing.T, env []string) (*Process, string) {
	t.Helper()
	p := Start(t, env, "serve")
	addr := p.Await(t, Listening)[1]
	return p, addr + "/api/v1/accounts/"
}

// AwaitRelayed waits until relay has accepted n messages to, and returns them.
func AwaitRelayed(t *testing.T, relay *smtptest.Server, to string, n int) []smtptest.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got []smtptest.Message
		for _, m := range relay.Messages() {
			if len(m.To) == 1 && m.To[0] == to {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s the relay holds %d messages to %s, want %d (%d attempts in all)", len(got), to, n, relay.Attempts())
		}
		select {
		case <-relay.Received():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// RelayedLink returns the query of the one reset link in a relayed message's text
// (decoded from quoted-printable, which turns '=' into "=3D").
func RelayedLink(t *testing.T, m smtptest.Message) url.Values {
	t.Helper()
	text := RelayedText(t, m)
	links := LinkPattern.FindAllString(text, -1)
	if len(links) != 1 {
		t.Fatalf("want one link in the text, found %d: %q", len(links), text)
	}
	u, err := url.Parse(links[0])
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// RelayedText returns the decoded text/plain part of a relayed message, which is
// either the whole body or a part of a multipart/alternative one.
func RelayedText(t *testing.T, m smtptest.Message) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mediaType == "text/plain" {
		return decoded(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable itself
		if err != nil {
			t.Fatalf("no text part in %s: %v", mediaType, err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			return decoded(t, p.Header.Get("Content-Transfer-Encoding"), p)
		}
	}
}

func decoded(t *testing.T, encoding string, r io.Reader) string {
	t.Helper()
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// StoredHash reads the hash of the user id in auth_user.
func StoredHash(t *testing.T, pool *pgxpool.Pool, id string) string {
	t.Helper()
	var hash string
	if err := pool.QueryRow(context.Background(), "SELECT password FROM auth_user WHERE id = $1::int", id).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	return hash
}
