package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
)

// short and long are the two timeouts of these tests: the database in use gets
// short, the other long. A check that took the other database's timeout would
// wait an hour, far beyond what the tests wait.
const (
	short = 200 * time.Millisecond
	long  = time.Hour
	// patience is how long a test waits for an answer bounded by short.
	patience = 30 * time.Second
)

// databases are the two configurations, each with the other's timeout long.
var databases = []struct {
	name string
	cfg  app.Config
}{
	{"PostgreSQL", app.Config{MongoDBTimeout: long,
		Database: app.PostgresSettings{URL: "postgres://pwreset@db/app", Timeout: short}}},
	{"MongoDB", app.Config{MongoDBURI: "mongodb://db/", MongoDBTimeout: short,
		Database: app.PostgresSettings{Timeout: long}}},
}

// silentServer accepts connections and never answers: a database that hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// hangingStores returns a PostgreSQL pool and a MongoDB database on servers that
// never answer; neither connects before its first use.
func hangingStores(t *testing.T) (app.MongoDB, app.Postgres) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://pwreset@"+silentServer(t)+"/app?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	client, err := mongodriver.Connect(options.Client().ApplyURI("mongodb://" + silentServer(t) + "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return app.MongoDB{Database: client.Database("pwreset")}, app.Postgres{Pool: pool}
}

// TestReadinessPingsTheDatabaseInUse: /readyz's check pings PostgreSQL when
// DATABASE_URL is set and MongoDB otherwise, and a database that hangs is not
// ready within that database's timeout (DATABASE_TIMEOUT or MONGODB_TIMEOUT),
// with a reason that names it.
func TestReadinessPingsTheDatabaseInUse(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			mongo, pg := hangingStores(t)
			if d.name == "MongoDB" {
				pg = app.Postgres{}
			}
			ready := app.ProvideReadiness(d.cfg, mongo, pg, system.Clock{})
			done := make(chan error, 1)
			go func() { done <- ready.Ping(context.Background()) }()
			select {
			case err := <-done:
				var nr *health.NotReady
				if !errors.As(err, &nr) || !strings.HasPrefix(nr.Reason, d.name+" ") {
					t.Fatalf("readiness of a hanging %s: %v; want not ready, the reason naming %s", d.name, err, d.name)
				}
			case <-time.After(patience):
				t.Fatalf("readiness of a hanging %s waited beyond %s: it does not take that database's timeout", d.name, patience)
			}
		})
	}
}

// hangingOutbox is an outbox whose Stats waits for its context to end.
type hangingOutbox struct {
	ports.Outbox
}

func (hangingOutbox) Stats(ctx context.Context) (ports.OutboxStats, error) {
	<-ctx.Done()
	return ports.OutboxStats{}, ctx.Err()
}

// TestOutboxGaugesTakeTheTimeoutOfTheDatabaseInUse: a scrape whose outbox hangs
// answers within DATABASE_TIMEOUT on PostgreSQL and MONGODB_TIMEOUT on MongoDB,
// without the outbox series.
func TestOutboxGaugesTakeTheTimeoutOfTheDatabaseInUse(t *testing.T) {
	for _, d := range databases {
		t.Run(d.name, func(t *testing.T) {
			m := app.ProvideMetrics(d.cfg, hangingOutbox{}, memory.NewCampaignStore(), system.Clock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			type result struct {
				names []string
				err   error
			}
			done := make(chan result, 1)
			go func() {
				families, err := m.Registry().Gather()
				var names []string
				for _, f := range families {
					names = append(names, f.GetName())
				}
				done <- result{names, err}
			}()
			select {
			case r := <-done:
				if r.err != nil || len(r.names) == 0 {
					t.Fatalf("scrape: %v, %d series", r.err, len(r.names))
				}
				for _, n := range r.names {
					if strings.HasPrefix(n, "pwreset_outbox_") {
						t.Errorf("scrape of a hanging outbox shows %s; want it left out", n)
					}
				}
			case <-time.After(patience):
				t.Fatalf("scrape of a hanging outbox on %s waited beyond %s: it does not take that database's timeout", d.name, patience)
			}
		})
	}
}
