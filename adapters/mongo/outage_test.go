package mongo_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// The bounds below are causal, not tight: the driver on its own waits driverWait
// for a server that is gone, so a call that ends within bound (half of it, yet
// many times the timeout, which leaves a loaded CI machine room) was ended by the
// timeout under test and nothing else.
const (
	driverWait = time.Minute
	bound      = driverWait / 2
)

// TestOutage: with the server gone, calls of the user store, the outbox and the rate
// limiter fail with ErrUnavailable, ended by their own Timeout (so the service
// answers 503 rather than, say, let a hit through uncounted): the client would wait
// driverWait to select a server, and the calls end well before that. Once the
// server is back, the same store, outbox and limiter work again by themselves.
func TestOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a server of its own")
	}
	const timeout = 2 * time.Second
	srv := mongotest.StartServer(t)
	// The client's own waits are driverWait: only the stores' Timeout can end a call sooner.
	client, err := mongo.Connect(testCtx(t), srv.URI(), driverWait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	db := client.Database("outage")
	oid := bson.NewObjectID()
	insert(t, db, teamDoc(oid))
	store := mongo.NewUserStore(db, mongo.UserMapping{Timeout: timeout})
	box := mongo.NewOutbox(db, mongo.OutboxConfig{Timeout: timeout})
	limiter := mongo.NewRateLimiter(db, mongo.RateLimitConfig{Timeout: timeout})
	if _, err := store.FindByID(testCtx(t), oid.Hex()); err != nil {
		t.Fatalf("before the outage: %v", err)
	}
	if ok, _, err := limiter.Allow(testCtx(t), "k", 1, time.Minute, time.Now()); !ok || err != nil {
		t.Fatalf("before the outage: Allow = %v, %v", ok, err)
	}

	srv.Stop()
	calls := map[string]func(context.Context) error{
		"FindByID":    func(ctx context.Context) error { _, err := store.FindByID(ctx, oid.Hex()); return err },
		"FindByLogin": func(ctx context.Context) error { _, err := store.FindByLogin(ctx, "dora"); return err },
		"SetPassword": func(ctx context.Context) error {
			return store.SetPassword(ctx, ports.PasswordChange{UserID: oid.Hex(), OldHash: "old", NewHash: "new"})
		},
		"Outbox.Add": func(ctx context.Context) error { _, err := box.Add(ctx, sample(1), time.Now()); return err },
		"Outbox.Claim": func(ctx context.Context) error {
			_, err := box.Claim(ctx, "w", time.Now(), time.Minute)
			return err
		},
		"Outbox.MarkSent": func(ctx context.Context) error {
			return box.MarkSent(ctx, bson.NewObjectID().Hex(), "w", "p", time.Now())
		},
		"Outbox.MarkSentBatch": func(ctx context.Context) error {
			ds := []ports.Delivery{{ID: bson.NewObjectID().Hex(), Owner: "w"}, {ID: "chosen-1", Owner: "w"}}
			return errors.Join(box.MarkSentBatch(ctx, ds)...)
		},
		"Limiter.Allow limit 1": func(ctx context.Context) error {
			_, _, err := limiter.Allow(ctx, "k", 1, time.Minute, time.Now())
			return err
		},
		"Limiter.Allow limit 3": func(ctx context.Context) error {
			_, _, err := limiter.Allow(ctx, "k3", 3, time.Minute, time.Now())
			return err
		},
		"Outbox.AddLimited": func(ctx context.Context) error {
			_, _, err := box.AddLimited(ctx, ports.LimitedMessage{Message: sample(1),
				Limits: []ports.Limit{{Key: "a", Max: 1, Window: time.Minute, Reason: "cooldown"}, {Key: "b", Max: 3, Window: time.Hour, Reason: "daily_cap"}}}, time.Now())
			return err
		},
		"Limiter.Latest":        func(ctx context.Context) error { _, err := limiter.Latest(ctx, "k"); return err },
		"Limiter.Purge":         func(ctx context.Context) error { _, err := limiter.Purge(ctx, time.Now()); return err },
		"Limiter.EnsureIndexes": func(ctx context.Context) error { return limiter.EnsureIndexes(ctx, time.Hour) },
	}
	// The calls run side by side: each must give up within its own Timeout.
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			start := time.Now()
			err := call(context.Background()) // no deadline of the caller's: the store's own must hold
			elapsed := time.Since(start)
			if !errors.Is(err, ports.ErrUnavailable) {
				t.Errorf("%s during the outage: got %v, want ErrUnavailable", name, err)
			}
			if elapsed > bound {
				t.Errorf("%s during the outage took %s: its Timeout of %s did not end it (the driver waits %s)",
					name, elapsed, timeout, driverWait)
			}
			t.Logf("%s during the outage: %s: %v", name, elapsed.Round(time.Millisecond), err)
		})
	}
	wg.Wait()

	srv.Start()
	start := time.Now()
	for {
		_, err := store.FindByID(testCtx(t), oid.Hex())
		if err == nil {
			break
		}
		if !errors.Is(err, ports.ErrUnavailable) || time.Since(start) > 30*time.Second {
			t.Fatalf("after the restart (%s): %v", time.Since(start), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("recovered %s after the restart", time.Since(start).Round(time.Millisecond))
	for _, name := range []string{"SetPassword", "Outbox.Add", "Outbox.Claim", "Limiter.Latest"} {
		if err := calls[name](testCtx(t)); err != nil {
			t.Fatalf("%s after the restart: %v", name, err)
		}
	}
	if ok, _, err := limiter.Allow(testCtx(t), "k", 1, time.Minute, time.Now()); ok || err != nil {
		t.Fatalf("after the restart: Allow = %v, %v; want refused, the event before the outage kept", ok, err)
	}
}

// TestConnect: a reachable server answers; an unreachable one is ErrUnavailable,
// ended by the timeout (the driver's own server selection waits 30 s), with a
// message that says what to check.
func TestConnect(t *testing.T) {
	client, err := mongo.Connect(testCtx(t), mongotest.URI(t), 5*time.Second)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	_ = client.Disconnect(context.Background())

	// A port that was free a moment ago: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	const timeout = time.Second
	start := time.Now()
	_, err = mongo.Connect(context.Background(), "mongodb://"+addr+"/", timeout)
	elapsed := time.Since(start)
	if !errors.Is(err, ports.ErrUnavailable) {
		t.Fatalf("Connect to %s: got %v, want ErrUnavailable", addr, err)
	}
	if selection := 30 * time.Second; elapsed > selection/2 {
		t.Errorf("Connect took %s: its timeout of %s did not end it (the driver waits %s)", elapsed, timeout, selection)
	}
	t.Logf("Connect to a closed port: %v", err)

	if _, err = mongo.Connect(context.Background(), "postgres://nope", timeout); err == nil ||
		errors.Is(err, ports.ErrUnavailable) {
		t.Errorf("Connect with a bad URI: got %v, want a configuration error", err)
	}
}

// TestConnectWriteConcern: writes default to the write concern "majority", so
// that none answered as done can be rolled back by a fail-over (issue 17,
// finding 5); a "w" in the URI wins. The server takes such writes.
func TestConnectWriteConcern(t *testing.T) {
	for name, c := range map[string]struct {
		w, want string // in the URI; as the insert carries it (BSON as extended JSON)
	}{"default": {"", `"majority"`}, "w in the URI": {"1", `{"$numberInt":"1"}`}} {
		t.Run(name, func(t *testing.T) {
			p, uri := mongotest.Proxy(t)
			p.Record()
			u, err := url.Parse(uri)
			if err != nil {
				t.Fatal(err)
			}
			if c.w != "" {
				q := u.Query()
				q.Set("w", c.w)
				u.RawQuery = q.Encode()
			}
			client, err := mongo.Connect(testCtx(t), u.String(), 5*time.Second)
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer func() { _ = client.Disconnect(context.Background()) }()
			db := client.Database(mongotest.NewDatabase(t).Name())
			if _, err := db.Collection("c").InsertOne(testCtx(t), bson.D{{Key: "x", Value: 1}}); err != nil {
				t.Fatalf("insert with that write concern: %v", err)
			}
			for _, cmd := range p.Recorded() {
				if coll, _ := cmd.Lookup("insert").StringValueOK(); coll != "c" {
					continue
				}
				if got := cmd.Lookup("writeConcern", "w").String(); got != c.want {
					t.Fatalf("the insert's write concern w = %s; want %s", got, c.want)
				}
				return
			}
			t.Fatal("the insert never reached the server")
		})
	}
}
