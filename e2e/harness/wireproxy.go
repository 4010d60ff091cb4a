package harness

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// WireProxy stands between the service and MongoDB, forwarding the wire protocol
// message by message. It can hold the first command of a kind (say, the update of
// the users collection) on its way to the server until the test releases it: the
// service has sent it and waits for the answer, and the server has not seen it yet.
// A held command is delivered even if the service hangs up meanwhile, as a message
// already on the network is.
type WireProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	hold   *Held
}

// Held is one command to hold: Caught is closed once it arrived, Release lets it
// on, Answered is closed once the server answered it (or went away).
type Held struct {
	Command, Collection       string
	skip                      int // matching commands to let pass first
	Caught, Release, Answered chan struct{}
}

// NewWireProxy forwards to the server of uri and returns the proxy and the URI to
// give the service instead.
func NewWireProxy(t *testing.T, uri string) (*WireProxy, string) {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &WireProxy{ln: ln, target: u.Host}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	u.Host = ln.Addr().String()
	q := u.Query()
	q.Set("directConnection", "true") // the server must not redirect the driver past the proxy
	u.RawQuery = q.Encode()
	return p, u.String()
}

// HoldAfter holds the command named command on collection (insert, update, find,
// ...) that comes after skip matching ones (say, the second insert into the outbox)
// and returns it; receive from Caught to wait for it, close Release to let it on.
func (p *WireProxy) HoldAfter(command, collection string, skip int) *Held {
	h := &Held{Command: command, Collection: collection, skip: skip,
		Caught: make(chan struct{}), Release: make(chan struct{}), Answered: make(chan struct{})}
	p.mu.Lock()
	p.hold = h
	p.mu.Unlock()
	return h
}

// take returns the hold msg matches, and clears it, so that it holds one message.
// A match it is to skip only counts down.
func (p *WireProxy) take(msg []byte) *Held {
	command, collection, ok := commandOf(msg)
	if !ok {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hold
	if h == nil || h.Command != command || h.Collection != collection {
		return nil
	}
	if h.skip > 0 {
		h.skip--
		return nil
	}
	p.hold = nil
	return h
}

func (p *WireProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

// forward carries one connection, message by message. When the client hangs up
// after a held command went on, the server's side stays open until that command is
// answered, so that it is carried out as a command already on the network is.
func (p *WireProxy) forward(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var answers atomic.Int64
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			msg, err := readMessage(server)
			if err != nil {
				return
			}
			answers.Add(1)
			client.Write(msg) // the client may have gone: the answer is dropped
		}
	}()
	var answered chan struct{} // of the held command, once it went on
	for {
		msg, err := readMessage(client)
		if err != nil {
			break
		}
		h := p.take(msg)
		if h != nil {
			close(h.Caught)
			<-h.Release
		}
		// Counted before the write: read after it, an answer quick enough to come in
		// between would be taken for an earlier one, and the held one never seen.
		next := answers.Load() + 1
		if _, err := server.Write(msg); err != nil {
			return
		}
		if h != nil {
			answered = h.Answered
			go awaitAnswer(&answers, next, gone, h.Answered)
		}
	}
	if answered != nil {
		<-answered
	}
}

// awaitAnswer closes answered once the count of answers reaches n or the server's
// side is gone. (The count is read before the command is written: the client sends
// the next command on a connection only once the last was answered.)
func awaitAnswer(answers *atomic.Int64, n int64, gone <-chan struct{}, answered chan<- struct{}) {
	defer close(answered)
	for answers.Load() < n {
		select {
		case <-gone:
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// readMessage reads one wire protocol message: its length, then the rest.
func readMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n < 16 || n > 48<<20 {
		return nil, fmt.Errorf("message of %d bytes", n)
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

// commandOf returns the command an OP_MSG carries and the collection it names: the
// first element of its body, such as {update: "users", ...}.
func commandOf(msg []byte) (command, collection string, ok bool) {
	const opMsg, bodyAt = 2013, 16 + 4 + 1 // header, flag bits, section kind 0
	if len(msg) < bodyAt+5 || binary.LittleEndian.Uint32(msg[12:]) != opMsg || msg[20] != 0 {
		return "", "", false
	}
	size := int(binary.LittleEndian.Uint32(msg[bodyAt:]))
	if size < 5 || bodyAt+size > len(msg) {
		return "", "", false
	}
	elems, err := bson.Raw(msg[bodyAt : bodyAt+size]).Elements()
	if err != nil || len(elems) == 0 {
		return "", "", false
	}
	collection, ok = elems[0].Value().StringValueOK()
	return elems[0].Key(), collection, ok
}
