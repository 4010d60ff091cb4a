package mongo_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/pwreset/pwreset/adapters/mongo/mongotest"
)

// How an armed fault hits the command it matches.
const (
	loseReply   = iota // the server runs the command; its answer is lost with the connection
	dropRequest        // the connection breaks before the command leaves
)

// faults breaks the connections of a client at chosen commands, the way a failover
// or a network fault does: one fault per arm, on the next command that matches.
type faults struct {
	mu    sync.Mutex
	armed []fault
}

type fault struct {
	cmd, coll string // a command name and the collection it names, such as "insert", "users"
	mode      int
}

// arm makes the next command cmd on coll fail the way mode says.
func (f *faults) arm(cmd, coll string, mode int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = append(f.armed, fault{cmd, coll, mode})
}

// pending tells how many armed faults have not hit yet.
func (f *faults) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.armed)
}

// hit returns the mode of the armed fault that wire message p matches, and disarms it.
func (f *faults) hit(p []byte) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, a := range f.armed {
		// In OP_MSG the command is the body document's first element: its name,
		// then the collection as a BSON string (type 2, name, length, value).
		name := append([]byte{2}, a.cmd+"\x00"...)
		if bytes.Contains(p, name) && bytes.Contains(p, []byte(a.coll+"\x00")) {
			f.armed = append(f.armed[:i], f.armed[i+1:]...)
			return a.mode, true
		}
	}
	return 0, false
}

// DialContext implements options.ContextDialer.
func (f *faults) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &faultyConn{Conn: c, f: f}, nil
}

// faultyConn is a connection that faults can break.
type faultyConn struct {
	net.Conn
	f    *faults
	lose bool // the answer to the command just written is to be lost
}

func (c *faultyConn) Write(p []byte) (int, error) {
	mode, ok := c.f.hit(p)
	switch {
	case ok && mode == dropRequest:
		_ = c.Conn.Close()
		return 0, io.ErrClosedPipe
	case ok:
		c.lose = true
	}
	return c.Conn.Write(p)
}

func (c *faultyConn) Read(p []byte) (int, error) {
	if !c.lose {
		return c.Conn.Read(p)
	}
	// The answer arriving means the command has run; then the connection breaks.
	_, _ = c.Conn.Read(p)
	_ = c.Conn.Close()
	return 0, io.ErrUnexpectedEOF
}

// faulty returns db through a client of its own whose connections f breaks.
func faulty(t *testing.T, db *driver.Database) (*driver.Database, *faults) {
	t.Helper()
	fdb, f, _ := faultyWatched(t, db)
	return fdb, f
}

// faultyWatched is faulty, with a log of the commands the client sends.
func faultyWatched(t *testing.T, db *driver.Database) (*driver.Database, *faults, *commandLog) {
	t.Helper()
	f, log := &faults{}, &commandLog{}
	client, err := driver.Connect(options.Client().ApplyURI(mongotest.URI(t)).SetDialer(f).
		SetMonitor(&event.CommandMonitor{Started: log.started}).
		SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(db.Name()), f, log
}
