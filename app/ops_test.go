package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/postgres"
	"github.com/pwreset/pwreset/adapters/prometheus"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/app"
	"github.com/pwreset/pwreset/domain/health"
	"github.com/pwreset/pwreset/ports"
)

// short is the timeout of the stores in these tests; a check that did not take
// it would wait beyond patience.
const (
	short = 200 * time.Millisecond
	// patience is how long a test waits for an answer bounded by short.
	patience = 30 * time.Second
)

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

// hangingStores returns the stores of PostgreSQL and of MongoDB on servers that
// never answer, each with the readiness check, name and timeout (short) its Open
// gives; neither connects before its first use.
func hangingStores(t *testing.T) map[string]ports.Stores {
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
	return map[string]ports.Stores{
		"PostgreSQL": {Readiness: postgres.NewPinger(pool, short), Name: "PostgreSQL", Timeout: short},
		"MongoDB":    {Readiness: mongo.NewPinger(client.Database("pwreset"), short), Name: "MongoDB", Timeout: short},
	}
}

// TestReadinessPingsTheDatabaseInUse: /readyz's check pings the stores' database,
// and a database that hangs is not ready within the stores' timeout
// (DATABASE_TIMEOUT or MONGODB_TIMEOUT), with a reason that names it.
func TestReadinessPingsTheDatabaseInUse(t *testing.T) {
	for name, stores := range hangingStores(t) {
		t.Run(name, func(t *testing.T) {
			ready := app.ProvideReadiness(stores, system.Clock{})
			done := make(chan error, 1)
			go func() { done <- ready.Ping(context.Background()) }()
			select {
			case err := <-done:
				var nr *health.NotReady
				if !errors.As(err, &nr) || !strings.HasPrefix(nr.Reason, name+" ") {
					t.Fatalf("readiness of a hanging %s: %v; want not ready, the reason naming %s", name, err, name)
				}
			case <-time.After(patience):
				t.Fatalf("readiness of a hanging %s waited beyond %s: it does not take the stores' timeout", name, patience)
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
// answers within the stores' timeout (DATABASE_TIMEOUT on PostgreSQL,
// MONGODB_TIMEOUT on MongoDB), without the outbox series.
func TestOutboxGaugesTakeTheTimeoutOfTheDatabaseInUse(t *testing.T) {
	for _, name := range []string{"PostgreSQL", "MongoDB"} {
		t.Run(name, func(t *testing.T) {
			stores := ports.Stores{Outbox: hangingOutbox{}, Campaigns: memory.NewCampaignStore(), Name: name, Timeout: short}
			m := app.ProvideMetrics(stores, system.Clock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
				t.Fatalf("scrape of a hanging outbox on %s waited beyond %s: it does not take that database's timeout", name, patience)
			}
		})
	}
}

func TestMetricsAddr(t *testing.T) {
	for _, c := range []struct {
		addr, problem string
	}{
		{"", ""},
		{":9090", ""},
		{"127.0.0.1:9090", ""},
		{"9090", `METRICS_ADDR "9090" is not host:port`},
	} {
		cfg, err := app.Load(append(slices.Clone(production), "METRICS_ADDR="+c.addr))
		switch {
		case c.problem == "" && err != nil:
			t.Errorf("METRICS_ADDR=%q: %v", c.addr, err)
		case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
			t.Errorf("METRICS_ADDR=%q: error %v, want %q", c.addr, err, c.problem)
		case err == nil && cfg.Ops.MetricsAddr != c.addr:
			t.Errorf("METRICS_ADDR=%q read as %q", c.addr, cfg.Ops.MetricsAddr)
		}
	}
}

// TestOperatorEndpointsStayOffTheAPI: by default the API serves no /metrics and a
// /readyz without reasons (issue 18: /metrics on the public address told which
// logins exist); METRICS_ON_API_ADDR=true is the operator's explicit choice.
func TestOperatorEndpointsStayOffTheAPI(t *testing.T) {
	for _, c := range []struct {
		env    []string
		onAPI  bool
		reason bool
	}{
		{nil, false, false},
		{[]string{"METRICS_ADDR=127.0.0.1:9090"}, false, false},
		{[]string{"METRICS_ON_API_ADDR=true"}, true, true},
		{[]string{"METRICS_ON_API_ADDR=false"}, false, false},
	} {
		cfg, err := app.Load(append(slices.Clone(production), c.env...))
		if err != nil {
			t.Fatal(err)
		}
		ops := app.ProvideOperations(cfg, prometheus.New(), nil)
		if (ops.Metrics != nil) != c.onAPI || ops.ReadinessReason != c.reason {
			t.Errorf("%v: /metrics on the API %v, readiness reason %v; want %v, %v",
				c.env, ops.Metrics != nil, ops.ReadinessReason, c.onAPI, c.reason)
		}
	}
	wantProblems(t, append(slices.Clone(production), "METRICS_ON_API_ADDR=maybe"), "METRICS_ON_API_ADDR")
}
