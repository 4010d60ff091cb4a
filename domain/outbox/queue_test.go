package outbox_test

import (
	"context"
	"testing"

	"github.com/pwreset/pwreset/adapters/memory"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/ports"
)

// A process may store mail and leave the sending to others: its queue has no dispatcher.
func TestQueueWithoutDispatcherStores(t *testing.T) {
	box := memory.NewOutbox()
	id, err := outbox.NewQueue(box, nil, clock{}).Send(context.Background(), message(1))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	env, err := box.Get(context.Background(), id)
	if err != nil || env.State != ports.StatePending || env.Message != message(1) {
		t.Fatalf("stored %+v, %v; want the message pending", env, err)
	}
}
