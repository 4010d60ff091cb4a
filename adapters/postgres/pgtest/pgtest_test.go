package pgtest_test

import (
	"context"
	"testing"
	"time"

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
