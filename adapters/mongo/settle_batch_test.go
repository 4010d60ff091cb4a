package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestMarkSentBatchRoundTrip: MarkSentBatch records a batch of deliveries in one
// command, where one MarkSent per delivery takes as many; a batch of which some
// do not apply takes one find more, to tell which.
func TestMarkSentBatchRoundTrip(t *testing.T) {
	log := &tripLog{}
	client, err := driver.Connect(options.Client().ApplyURI(mongotest.URI(t)).
		SetServerSelectionTimeout(10 * time.Second).SetMonitor(&event.CommandMonitor{Started: log.started}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	box := prepareOutbox(t, client.Database(mongotest.NewDatabase(t).Name()))
	now := time.Now().Truncate(time.Millisecond)
	claimed := func(n int) []ports.Delivery {
		t.Helper()
		owner := fmt.Sprint("batch-", time.Now().UnixNano())
		for i := range n {
			msg := ports.Message{Kind: "reset_link", UserID: fmt.Sprint(i), To: fmt.Sprintf("u%d@example.com", i), Subject: "s"}
			if i == 0 {
				msg.ID = "chosen_" + owner // one by the id its caller chose
			}
			if _, err := box.Add(testCtx(t), msg, now.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		envs, err := box.ClaimBatch(testCtx(t), owner, now, time.Minute, n)
		if err != nil || len(envs) != n {
			t.Fatalf("ClaimBatch = %d messages, %v; want %d", len(envs), err, n)
		}
		ds := make([]ports.Delivery, n)
		for i, env := range envs {
			ds[i] = ports.Delivery{ID: env.ID, Owner: owner, ProviderID: "p-" + env.ID, At: now}
		}
		return ds
	}
	cases := []struct {
		name string
		ds   func() []ports.Delivery
		want []error
		cmds int
	}{
		{"all apply", func() []ports.Delivery { return claimed(20) }, make([]error, 20), 1},
		{"some do not", func() []ports.Delivery {
			ds := claimed(3)
			ds[1].Owner = "another"
			return append(ds, ports.Delivery{ID: "65a1b2c3d4e5f60718293a4c", Owner: ds[0].Owner})
		}, []error{nil, ports.ErrLeaseLost, nil, ports.ErrMessageNotFound}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := c.ds()
			log.drain()
			errs := box.MarkSentBatch(testCtx(t), ds)
			cmds := log.drain()
			for i, err := range errs {
				if !errors.Is(err, c.want[i]) || (err == nil) != (c.want[i] == nil) {
					t.Errorf("delivery %d: %v, want %v", i, err, c.want[i])
				}
			}
			if len(errs) != len(ds) || len(cmds) != c.cmds {
				t.Fatalf("%d deliveries: %d results with %d commands (%q); want %d with %d",
					len(ds), len(errs), len(cmds), cmds, len(ds), c.cmds)
			}
		})
	}
}

// TestMarkSentBatchRefusedWrite: a batch whose update the server refuses (a
// validation rule, code 121) answers ErrWriteRefused for it, not a possible
// change (ErrUnavailable), and the message is still held, as with MarkSent.
func TestMarkSentBatchRefusedWrite(t *testing.T) {
	p, uri := mongotest.Proxy(t)
	db := mongotest.NewDatabase(t)
	box := prepareOutbox(t, mongotest.Connect(t, uri).Database(db.Name()))
	id, err := box.Add(testCtx(t), sample(1), t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.Claim(testCtx(t), "w", t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	p.Refuse("update", "outbox", 121)
	errs := box.MarkSentBatch(testCtx(t), []ports.Delivery{{ID: id, Owner: "w", ProviderID: "p", At: t0}})
	if len(errs) != 1 || !errors.Is(errs[0], ports.ErrWriteRefused) || errors.Is(errs[0], ports.ErrUnavailable) {
		t.Fatalf("MarkSentBatch refused by the server = %v; want ErrWriteRefused and not ErrUnavailable", errs)
	}
	if env, err := box.Get(testCtx(t), id); err != nil || env.State != ports.StateSending {
		t.Fatalf("after a refused batch: %+v, %v; want the message still sending", env, err)
	}
}
