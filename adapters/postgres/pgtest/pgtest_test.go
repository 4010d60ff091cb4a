package pgtest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSchemas: each test gets a schema of its own, and its connections work in it.
func TestSchemas(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := pgtest.Pool(t, pgtest.NewSchema(t)), pgtest.Pool(t, pgtest.NewSchema(t))
	if _, err := a.Exec(ctx, "CREATE TABLE x (n int); INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, "SELECT n FROM x"); err == nil {
		t.Fatal("schema b sees schema a's table")
	}
}

// TestServerRestart: a private server refuses connections once stopped and keeps
// its data across a restart on the same URL.
func TestServerRestart(t *testing.T) {
	s := pgtest.StartServer(t)
	url := pgtest.SchemaOn(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool := pgtest.Pool(t, url)
	if _, err := pool.Exec(ctx, "CREATE TABLE x (n int); INSERT INTO x VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := pool.Ping(ctx); err == nil {
		t.Fatal("ping answered while the server is stopped")
	}
	s.Start()
	var n int
	if err := pool.QueryRow(ctx, "SELECT n FROM x").Scan(&n); err != nil || n != 7 {
		t.Fatalf("after restart: %d, %v; want 7", n, err)
	}
}

// TestKilledTestProcess: when a test process dies by SIGKILL, its shared server
// stops too. The test runs itself as that process.
func TestKilledTestProcess(t *testing.T) {
	if os.Getenv("PGTEST_CHILD") != "" {
		fmt.Println("URL", pgtest.URL(t))
		time.Sleep(time.Minute) // until killed
		return
	}
	pgtest.URL(t) // skips here when PostgreSQL is missing
	child := exec.Command(os.Args[0], "-test.run=^TestKilledTestProcess$", "-test.v")
	child.Env = append(os.Environ(), "PGTEST_CHILD=1")
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var url string
	s := bufio.NewScanner(out)
	for s.Scan() {
		if u, ok := strings.CutPrefix(s.Text(), "URL "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the child printed no URL")
	}
	_ = child.Process.Kill()
	_ = child.Wait()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, url)
		cancel()
		if err != nil {
			return // gone
		}
		_ = conn.Close(context.Background())
		if time.Now().After(deadline) {
			t.Fatal("the server outlived its test process by a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEnvURL: POSTGRES_TEST_URL points the tests at the server it names: URL
// returns it, and the schemas NewSchema makes live there, not on a server of
// pgtest's own.
func TestEnvURL(t *testing.T) {
	other := pgtest.StartServer(t)
	t.Setenv(pgtest.EnvURL, other.URL())
	if got := pgtest.URL(t); got != other.URL() {
		t.Fatalf("URL() = %s; want %s, from %s", got, other.URL(), pgtest.EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := pgtest.NewSchema(t)
	var port int
	if err := pgtest.Pool(t, url).QueryRow(ctx, "SELECT inet_server_port()").Scan(&port); err != nil {
		t.Fatal(err)
	}
	if want := other.URL(); !strings.Contains(want, fmt.Sprintf(":%d/", port)) {
		t.Fatalf("NewSchema's URL reaches the server on port %d; want the one at %s", port, want)
	}
}
