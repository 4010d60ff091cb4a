package mongo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pwreset/pwreset/adapters/mongo"
	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
	"github.com/pwreset/pwreset/ports"
)

// TestPinger: a running server answers the ping; a stopped one is ErrUnavailable.
func TestPinger(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and stops a server of its own")
	}
	srv := mongotest.StartServer(t)
	client, err := mongo.Connect(testCtx(t), srv.URI(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	p := mongo.NewPinger(client.Database("ping"), 2*time.Second)
	if err := p.Ping(testCtx(t)); err != nil {
		t.Fatalf("ping of a running server: %v", err)
	}
	srv.Stop()
	if err := p.Ping(testCtx(t)); !errors.Is(err, ports.ErrUnavailable) {
		t.Errorf("ping of a stopped server: %v, want ErrUnavailable", err)
	}
}
