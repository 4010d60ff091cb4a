package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/postgres/pgtest"
	"github.com/pwreset/pwreset/ports"
)

// TestConnectErrors: a URL that does not parse and a server that is not there are
// told apart, each message says what is wrong, and none shows the password.
func TestConnectErrors(t *testing.T) {
	cases := []struct {
		name, url string
		want      error
		says      string
	}{
		{"not a URL", "postgres://user:s3cret@host:notaport/db", postgres.ErrBadURL, "(invalid port)"},
		{"unknown option", "postgres://user:s3cret@127.0.0.1/db?sslmode=sometimes", postgres.ErrBadURL, "sslmode is invalid"},
		{"bad pool size", "postgres://user:s3cret@127.0.0.1/db?pool_max_conns=0", postgres.ErrBadURL, "pool_max_conns too small"},
		{"nobody listening", "postgres://user:s3cret@127.0.0.1:1/db?sslmode=disable", ports.ErrUnavailable, "127.0.0.1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pool, err := postgres.Connect(testCtx(t), c.url, 2*time.Second)
			if !errors.Is(err, c.want) {
				if pool != nil {
					pool.Close()
				}
				t.Fatalf("Connect: %v; want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("the error does not say %q: %v", c.says, err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

// TestPoolSize: the pool holds DefaultMaxConns connections unless the URL says
// otherwise.
func TestPoolSize(t *testing.T) {
	url := pgtest.NewSchema(t)
	for want, u := range map[int32]string{postgres.DefaultMaxConns: url, 3: pgtest.WithParam(url, "pool_max_conns", "3")} {
		pool, err := postgres.Connect(testCtx(t), u, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := pool.Config().MaxConns; got != want {
			t.Errorf("MaxConns = %d, want %d", got, want)
		}
		pool.Close()
	}
}
