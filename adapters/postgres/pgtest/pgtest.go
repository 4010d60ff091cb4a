// Package pgtest gives tests a PostgreSQL to talk to: the server at
// POSTGRES_TEST_URL if that is set, otherwise a throw-away server started from the
// PostgreSQL binaries installed on the machine (Debian's postgresql package), in a
// temporary directory on a free port.
//
// One shared server serves each test process; every test gets a fresh schema of its
// own from NewSchema, so tests never see each other's tables. A package may stop
// the server as soon as its tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without that the server stops when the test process exits, even when it is
// killed: a small shell watches a pipe from the test process, stops the server
// when it closes, and removes its files. Tests that need PostgreSQL skip, saying so, when neither
// POSTGRES_TEST_URL nor the binaries are there.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL names the variable that points the tests at an existing PostgreSQL
// instead of a throw-away one. Its role must be allowed to create schemas; each
// test leaves one behind.
const EnvURL = "POSTGRES_TEST_URL"

var shared struct {
	once   sync.Once
	server *Server
	url    string
	err    error
	skip   string
}

// URL returns the connection URL the tests of this process share: POSTGRES_TEST_URL
// if set, else that of a server started on first use. It skips the test when there
// is no PostgreSQL to run.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	shared.once.Do(func() {
		start := time.Now()
		bin, err := binDir()
		if err != nil {
			shared.skip = err.Error()
			return
		}
		s, err := newServer(bin)
		if err == nil {
			s.shared = true
			err = s.firstStart()
		}
		if err != nil {
			shared.err = err
			if s != nil {
				s.remove()
			}
			return
		}
		shared.server, shared.url = s, s.URL()
		t.Logf("pgtest: PostgreSQL at %s, ready after %s", shared.url, time.Since(start).Round(time.Millisecond))
	})
	if shared.skip != "" {
		t.Skip(shared.skip)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.url
}

// Main runs the tests of a package and then stops the shared server and removes
// its files. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if s := shared.server; s != nil {
		if err := s.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		s.remove()
	}
	os.Exit(code)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// NewSchema creates a schema that no other test uses on the server at URL(t) and
// returns a URL whose connections work in it (search_path). It is left in place.
func NewSchema(t testing.TB) string {
	t.Helper()
	return SchemaOn(t, URL(t))
}

// SchemaOn creates a fresh schema on the server at base and returns a URL whose
// connections work in it.
func SchemaOn(t testing.TB, base string) string {
	t.Helper()
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	name = fmt.Sprintf("t_%s_%s", name, strings.ToLower(rand.Text()[:8]))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", name, err)
	}
	return WithParam(base, "search_path", name)
}

// WithParam returns base with the query parameter key set to value.
func WithParam(base, key, value string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("pgtest: %s is not a URL: %v", redact(base), err))
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// Pool returns a connection pool on url, closed when the test ends.
func Pool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: pool on %s: %v", redact(url), err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// redact hides the password of a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}
