package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

// atExit holds what run undoes once pwreset has stopped (a throw-away PostgreSQL).
var atExit []func()

func runAtExit() {
	for i := len(atExit) - 1; i >= 0; i-- {
		atExit[i]()
	}
}

// postgresTarget is pwreset on PostgreSQL: a schema of its own holding users
// user1..userN (and "demo", the default --login), with mail delivered to an SMTP
// sink in this process, as production delivers it.
type postgresTarget struct {
	url     string // DATABASE_URL of the schema
	smtp    string // SMTP_URL of the sink
	cleanup func()
}

// preparePostgres makes the target on the server at base, or on a throw-away
// server started from the installed PostgreSQL binaries when base is "auto".
func preparePostgres(base string, users int) (*postgresTarget, error) {
	t := &postgresTarget{cleanup: func() {}}
	if base == "auto" {
		srv, err := pgtest.Launch()
		if err != nil {
			return nil, err
		}
		base, t.cleanup = srv.URL(), func() { _ = srv.Close() }
	}
	schema := "pwreset_bench_" + strings.ToLower(rand.Text()[:8])
	if err := seedUsers(base, schema, users); err != nil {
		t.cleanup()
		return nil, err
	}
	t.url = pgtest.WithParam(base, "search_path", schema)
	sink, err := smtpSink()
	if err != nil {
		t.cleanup()
		return nil, err
	}
	t.smtp = "smtp://" + sink.Addr
	stopDB := t.cleanup
	t.cleanup = func() { _ = sink.Close(); stopDB() }
	return t, nil
}

// env is the child's configuration on this target (limits off, as in benchEnv).
func (t *postgresTarget) env(secret string) []string {
	var env []string
	for _, kv := range benchEnv(secret, 0) {
		if !strings.HasPrefix(kv, "DEMO_USERS=") {
			env = append(env, kv)
		}
	}
	return append(env, "DATABASE_URL="+t.url, "SMTP_URL="+t.smtp, "SMTP_TLS=off",
		"RESET_PASSWORD_VERIFICATION_URL=https://frontend.example/reset-password/",
		"VERIFICATION_FROM_EMAIL=noreply@example.com", "USER_PASSWORD_CHANGED_AT_FIELD=off", "LOG_FORMAT=json")
}

// seedUsers creates the schema and its users table, like the demo users: ids and
// logins user1..userN, and "demo".
func seedUsers(base, schema string, users int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE SCHEMA %[1]s;
		CREATE TABLE %[1]s.users (id text PRIMARY KEY, username text UNIQUE, email text, password text);
		INSERT INTO %[1]s.users SELECT 'user' || i, 'user' || i, 'user' || i || '@example.com', 'unusable'
		  FROM generate_series(1, %[2]d) i;
		INSERT INTO %[1]s.users VALUES ('demo', 'demo', 'demo@example.com', 'unusable')`, schema, users))
	if err != nil {
		return fmt.Errorf("create the bench schema: %w", err)
	}
	fmt.Fprintf(os.Stderr, "PostgreSQL schema %s with %s users\n", schema, strconv.Itoa(users+1))
	return nil
}

// smtpSink accepts and forgets every message, on a free loopback port.
func smtpSink() (*smtp.Server, error) {
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{}, nil }))
	s.Domain, s.AllowInsecureAuth = "bench.localhost", true
	s.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	return s, nil
}

type sinkSession struct{}

func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	if err == nil {
		sunk.Add(1)
	}
	return err
}

// sunk counts the messages the SMTP sink accepted: the e-mails delivered.
var sunk atomic.Int64
